using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace TaskService.Benchmarks;

/// <summary>The calls the benchmark makes to the HTTP API: the set-up of the README walk-through, then triggers.</summary>
internal sealed class TaskServiceApi(HttpClient http) : IDisposable
{
    public const string ParentProcessId = "parent-process";

    /// <summary>Registers a client app; returns its API key and secret.</summary>
    public async Task<(string ApiKey, string ApiSecret)> CreateClientAppAsync(string name)
    {
        var created = await ExpectAsync(await http.PostAsJsonAsync("client-apps", new { clientName = name }), HttpStatusCode.Created);
        return (created.GetProperty("apiKey").GetString()!, created.GetProperty("apiSecret").GetString()!);
    }

    public async Task SubscribeAsync(string apiKey, string apiSecret, string url, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/subscribe") { Content = JsonContent.Create(new { url, key }) };
        request.Headers.Add("x-api-key", apiKey);
        request.Headers.Add("x-api-secret", apiSecret);
        await ExpectAsync(await http.SendAsync(request), HttpStatusCode.Created);
    }

    /// <summary>Deploys samples/bpmn/parent.bpmn (embedded in this assembly); a database that has it already answers 409, which is fine.</summary>
    public async Task DeployParentWorkflowAsync()
    {
        await using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("parent.bpmn")
            ?? throw new InvalidOperationException("parent.bpmn is not embedded in the benchmark assembly.");
        using var reader = new StreamReader(stream);
        var bpmn = await reader.ReadToEndAsync();
        var response = await http.PostAsJsonAsync("workflows", new { name = "parent", bpmnFile = bpmn, inputSchema = new { type = "object" } });
        if (response.StatusCode != HttpStatusCode.Conflict)
        {
            await ExpectAsync(response, HttpStatusCode.Created);
        }
    }

    public async Task MapEventAsync(string eventKey, string workflowKey) =>
        await ExpectAsync(await http.PostAsJsonAsync("events/mapping", new { eventKey, workflowKey }), HttpStatusCode.Created);

    /// <summary>
    /// Triggers one event whose payload makes create-tasks create one task carrying <paramref name="benchId"/> in its metadata.
    /// The event id (Idempotency-Key) is fixed per benchId, so a retried trigger records one event.
    /// </summary>
    public async Task<HttpStatusCode> TriggerAsync(string runId, string eventKey, int benchId, CancellationToken cancellationToken)
    {
        var id = benchId.ToString(CultureInfo.InvariantCulture);
        var body = "{\"key\":\"" + eventKey + "\",\"source\":\"benchmark\",\"description\":\"benchmark event " + id + "\"," +
            "\"payload\":{\"tasks\":{\"values\":[{\"key\":\"bench\",\"name\":\"Bench task " + id + "\",\"metadata\":{\"benchId\":" + id + "}}]}}}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "events/trigger")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", $"bench-{runId}-{benchId}");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return response.StatusCode;
    }

    public static HttpClient CreateClient(Uri baseAddress, string token, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != expected)
            {
                throw new InvalidOperationException(
                    $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} (expected {(int)expected}): {text}");
            }

            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    public void Dispose() => http.Dispose();
}
