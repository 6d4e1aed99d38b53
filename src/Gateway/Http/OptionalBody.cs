using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TaskService.Errors;
using TaskService.Gateway.Apis;

namespace TaskService.Gateway.Http;

/// <summary>Reads the optional <c>{"variables": {...}}</c> body of the routes that complete a step.</summary>
public static class OptionalBody
{
    /// <summary>The variables (null when there is no body or no variables), or the problem with the body.</summary>
    public static async Task<Outcome<JsonElement?>> ReadVariablesAsync(HttpRequest request)
    {
        if (request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0)
        {
            return Outcome.Of<JsonElement?>(null);
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
            var (detail, target) = ClientErrorText.ForJson(exception, typeof(VariablesRequest), json);
            return Problem.Invalid(target, detail);
        }

        if (body?.Validate(services.GetRequiredService<RequestFieldChecks>()) is { } problem)
        {
            return problem;
        }

        return body?.Variables switch
        {
            null or { ValueKind: JsonValueKind.Null } => Outcome.Of<JsonElement?>(null),
            { ValueKind: JsonValueKind.Object } variables => Outcome.Of<JsonElement?>(variables),
            _ => Problem.Invalid("variables", "'variables' must be a JSON object."),
        };
    }
}
