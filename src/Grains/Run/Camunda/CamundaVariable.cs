using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// A typed variable as engine-rest writes it (<c>VariableValueDto</c>): <c>{"value": ..., "type": "String", "valueInfo": {...}}</c>.
/// <see cref="CamundaVariables"/> maps it to and from plain JSON.
/// </summary>
public sealed record CamundaVariable
{
    /// <summary>The value; for <c>Json</c> and serialized <c>Object</c> variables, the JSON text as a string.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonElement? Value { get; init; }

    /// <summary><c>String</c>, <c>Integer</c>, <c>Long</c>, <c>Double</c>, <c>Boolean</c>, <c>Json</c>, <c>Object</c>, <c>Null</c>, <c>Date</c>, ...</summary>
    public string? Type { get; init; }

    /// <summary>Type-dependent details, such as <c>objectTypeName</c> and <c>serializationDataFormat</c> of an <c>Object</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement>? ValueInfo { get; init; }
}
