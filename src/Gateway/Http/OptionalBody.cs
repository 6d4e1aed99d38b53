using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TaskService.Errors;
using TaskService.Gateway.Apis;

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

        // The same JSON rules (depth, strict numbers, unknown properties refused) as bodies bound by the framework; RequestBodyGuard
        // has already refused bodies that are too large or not JSON.
        var services = request.HttpContext.RequestServices;
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        VariablesRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<VariablesRequest>(json, request.HttpContext.RequestAborted);
        }
        catch (JsonException exception)
        {
            var (detail, target) = ClientErrorText.ForJson(exception, typeof(VariablesRequest));
            throw TaskServiceException.Invalid(target, detail);
        }

        body?.Validate(services.GetRequiredService<RequestFieldChecks>());
        return body?.Variables switch
        {
            null or { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.Object } variables => variables,
            _ => throw TaskServiceException.Invalid("variables", "'variables' must be a JSON object."),
        };
    }
}
