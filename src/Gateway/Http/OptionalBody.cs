using System.Text.Json;
using TaskService.Errors;
using TaskService.Gateway.Apis;
using TaskService.Serialization;

namespace TaskService.Gateway.Http;

/// <summary>Reads the optional <c>{"variables": {...}}</c> body of the routes that complete a step.</summary>
public static class OptionalBody
{
    public static async Task<JsonElement?> ReadVariablesAsync(HttpRequest request)
    {
        if (request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0)
        {
            return null;
        }

        VariablesRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<VariablesRequest>(ContractJson.Options);
        }
        catch (JsonException exception)
        {
            throw TaskServiceException.Invalid(exception.Path is { Length: > 2 } path ? path[2..] : "body", $"The request body is not valid: {exception.Message.Split('\n')[0]}");
        }

        return body?.Variables switch
        {
            null or { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.Object } variables => Validation.WellFormed(variables, "variables"),
            _ => throw TaskServiceException.Invalid("variables", "'variables' must be a JSON object."),
        };
    }
}
