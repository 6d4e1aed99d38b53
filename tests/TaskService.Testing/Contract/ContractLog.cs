using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace TaskService.Testing;

/// <summary>The answers recorders saw, and their check against an OpenAPI document.</summary>
public sealed class ContractLog
{
    private readonly ConcurrentQueue<ContractExchange> _exchanges = new();

    public int Count => _exchanges.Count;

    public void Add(ContractExchange exchange) => _exchanges.Enqueue(exchange);

    /// <summary>
    /// Every way the recorded answers differ from <paramref name="contract"/>, and the operation and status pairs answered
    /// (<c>GET /tasks/{id} 404</c>). A 404 or 405 for a path the document does not have is routing's answer to a path no route
    /// serves, not an operation's, and is left out, as are CORS preflights (OPTIONS); a HEAD is checked as its GET.
    /// </summary>
    public (IReadOnlyList<string> Violations, IReadOnlySet<string> Seen) Check(OpenApiContract contract)
    {
        var violations = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var exchange in _exchanges)
        {
            // A CORS preflight is answered by the CORS policy, not by an operation; a HEAD is its GET without the body.
            if (exchange.Method == "OPTIONS")
            {
                continue;
            }

            var method = exchange.Method == "HEAD" ? "GET" : exchange.Method;
            var template = contract.FindTemplate(method, exchange.Path);
            if (template is null && exchange.Status is 404 or 405)
            {
                continue;
            }

            seen.Add($"{method} {template ?? exchange.Path} {exchange.Status}");
            violations.AddRange(contract.ValidateResponse(method, exchange.Path, exchange.Status, exchange.MediaType, exchange.Body));
        }

        return (violations.Distinct().ToArray(), seen);
    }

    public static async Task<OpenApiContract> LoadAsync(HttpClient client) =>
        new(JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!);
}
