namespace TaskService.Testing;

/// <summary>
/// Sits in every client of <see cref="TaskServiceApiFactory"/> and records each answer the tests receive, to be checked against
/// the service's own <c>/openapi/v1.json</c> (<see cref="ContractLog.Check"/>), so that the document cannot drift from the code.
/// Checking happens later, not here, so that the recorder adds no time to answers that tests measure.
/// </summary>
public sealed class ContractRecorder(params ContractLog[] logs) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        // Pages for browsers are not operations of the API: the web UI (/ui; tests/TaskService.Ui.Tests covers it), the API
        // reference (/scalar) and the Orleans dashboard (/dashboard).
        if (path.StartsWith("/openapi/", StringComparison.Ordinal) || path.StartsWith("/health/", StringComparison.Ordinal) || path.StartsWith("/dev/", StringComparison.Ordinal)
            || IsPage(path, "/ui") || IsPage(path, "/scalar") || IsPage(path, "/dashboard"))
        {
            return response;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var exchange = new ContractExchange(request.Method.Method, path, (int)response.StatusCode,
            response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(cancellationToken));
        foreach (var log in logs)
        {
            log.Add(exchange);
        }

        return response;
    }

    private static bool IsPage(string path, string root) =>
        path == root || path.StartsWith(root + "/", StringComparison.Ordinal);
}
