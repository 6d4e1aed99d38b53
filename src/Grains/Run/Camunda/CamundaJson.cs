using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// The JSON conventions of engine-rest: camelCase names, Camunda's date format, absent values left out, and characters such as
/// <c>+</c> and <c>"</c> written as Jackson writes them rather than as <c>\u002B</c> and <c>\u0022</c>.
/// </summary>
public static class CamundaJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new CamundaDateTimeConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
