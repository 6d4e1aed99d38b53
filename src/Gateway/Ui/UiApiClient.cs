using System.Net;
using System.Net.Http.Headers;
using System.Net.Mime;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace TaskService.Gateway.Ui;

/// <summary>
/// The UI's way into the service: the HTTP API itself, called with the signed-in user's token, so the UI shows exactly what the
/// API allows that user (same routes, same permission codes, same checks).
/// </summary>
public sealed partial class UiApiClient(HttpClient http, IHttpContextAccessor accessor, IServer server, IOptions<UiOptions> options, ILogger<UiApiClient> logger)
{
    public Task<ApiResult> GetAsync(string path, string need) => SendAsync(HttpMethod.Get, path, null, need);

    public Task<ApiResult> PostAsync(string path, object? body, string need) => SendAsync(HttpMethod.Post, path, body, need);

    public Task<ApiResult> PatchAsync(string path, object? body, string need) => SendAsync(HttpMethod.Patch, path, body, need);

    public Task<ApiResult> DeleteAsync(string path, string need) => SendAsync(HttpMethod.Delete, path, null, need);

    /// <summary>A LoopBack filter as the <c>filter</c> query parameter.</summary>
    public static string Filter(object filter) => "filter=" + Uri.EscapeDataString(JsonSerializer.Serialize(filter));

    /// <summary>Calls the API; <paramref name="need"/> says in a few words what the call does, for the message when it is refused.</summary>
    public async Task<ApiResult> SendAsync(HttpMethod method, string path, object? body, string need)
    {
        var context = accessor.HttpContext;
        if (BaseAddress() is not { } baseAddress)
        {
            return ApiResult.Failed(503, "The web UI cannot reach the API: set TaskService:Ui:ApiBaseAddress.");
        }

        using var request = new HttpRequestMessage(method, new Uri(baseAddress, path));
        if (context?.Request.Cookies[UiAuthentication.CookieName] is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = body as HttpContent ?? new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, MediaTypeNames.Application.Json);
        }

        try
        {
            using var response = await http.SendAsync(request, context?.RequestAborted ?? default);
            var text = await response.Content.ReadAsStringAsync(context?.RequestAborted ?? default);
            var json = text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true
                ? JsonDocument.Parse(text).RootElement.Clone()
                : default;
            if (response.IsSuccessStatusCode)
            {
                return new ApiResult((int)response.StatusCode, json, null, new Dictionary<string, string>());
            }

            return Problem(response.StatusCode, json, need);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            LogUnreachable(logger, method.Method, path, exception);
            return ApiResult.Failed(503, "The service did not answer. Try again in a moment.");
        }
    }

    private static ApiResult Problem(HttpStatusCode status, JsonElement problem, string need)
    {
        var detail = problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String
            ? d.GetString()
            : null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            foreach (var error in errors.EnumerateObject())
            {
                var text = error.Value.ValueKind == JsonValueKind.Array
                    ? string.Join(" ", error.Value.EnumerateArray().Select(m => m.ToString()))
                    : error.Value.ToString();
                fields[error.Name] = text;

                // Form fields are named by the variable; the API names them as variables/x (or variables.x).
                var lastDot = error.Name.LastIndexOfAny(['.', '/']);
                if (lastDot >= 0)
                {
                    fields.TryAdd(error.Name[(lastDot + 1)..], text);
                }
            }
        }

        var message = status switch
        {
            HttpStatusCode.Unauthorized => "Your sign-in has ended. Sign in again.",
            // A route's permission missing (the problem lists it) is said in the page's words; any other 403 says its own reason.
            HttpStatusCode.Forbidden => Permissions(problem) is { } codes
                ? $"Your sign-in does not carry the permission to {need} ({codes}). Ask an administrator for it."
                : detail is { Length: > 0 } && !detail.StartsWith("Forbidden", StringComparison.Ordinal)
                ? detail
                : $"Your sign-in does not carry the permission to {need}. Ask an administrator for it.",
            HttpStatusCode.NotFound => detail ?? $"Not found: could not {need}.",
            HttpStatusCode.Conflict => detail ?? $"Could not {need}: it changed meanwhile.",
            HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => "The service is busy. Try again in a moment.",
            >= HttpStatusCode.InternalServerError => $"Could not {need}: the service failed. Try again, or ask an operator to look at its log.",
            _ => detail ?? $"Could not {need}.",
        };
        return ApiResult.Failed((int)status, message, fields);
    }

    /// <summary>The permission codes a 403 says the route needs (<see cref="Http.StatusProblemDetails"/>), or null.</summary>
    private static string? Permissions(JsonElement problem) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty(Http.StatusProblemDetails.PermissionsMember, out var codes)
            && codes.ValueKind == JsonValueKind.String
            ? codes.GetString()
            : null;

    private Uri? BaseAddress()
    {
        if (options.Value.ApiBaseAddress is { } configured)
        {
            return configured;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault();
        if (address is null)
        {
            return null;
        }

        // A wildcard listener (http://+:8080, http://[::]:8080, http://0.0.0.0:8080) is reached on loopback.
        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "[::]" or "::" or "0.0.0.0")
        {
            uri.Host = "127.0.0.1";
        }

        return uri.Uri;
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "The web UI could not reach the API for {Method} {Path}")]
    private static partial void LogUnreachable(ILogger logger, string method, string path, Exception exception);
}
