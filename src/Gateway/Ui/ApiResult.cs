using System.Text.Json;

namespace TaskService.Gateway.Ui;

/// <summary>
/// What a call of the API gave the UI: the JSON answer, or a message a person can act on, with the messages for each named field
/// of a 400. Never carries a stack trace: the API sends none, and a failure to reach it is said in plain words.
/// </summary>
public sealed record ApiResult(int Status, JsonElement Body, string? Error, IReadOnlyDictionary<string, string> FieldErrors)
{
    public bool Ok => Error is null;

    public static ApiResult Failed(int status, string error, IReadOnlyDictionary<string, string>? fields = null) =>
        new(status, default, error, fields ?? new Dictionary<string, string>());

    /// <summary>The answer as an array (empty when it was not one).</summary>
    public IEnumerable<JsonElement> Items => Ok && Body.ValueKind == JsonValueKind.Array ? Body.EnumerateArray() : [];
}
