using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TaskService.Postgres.Tests.Durability;

/// <summary>
/// The Node webhook receiver of <c>tests/node/webhook-receiver.js</c>, started on a free port with a client app's secret: it checks
/// every delivery with the signature sample of the task-service README and records it. It lives in the test process, so it
/// outlives the silos the tests kill.
/// </summary>
public sealed class NodeWebhookReceiver : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly HttpClient _control;

    private NodeWebhookReceiver(Process process, int port)
    {
        _process = process;
        Port = port;
        _control = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public static async Task<NodeWebhookReceiver> StartAsync(string secret)
    {
        var script = Path.Combine(RepositoryRoot.Path, "tests", "node", "webhook-receiver.js");
        var start = new ProcessStartInfo("node", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["RECEIVER_PORT"] = "0";
        start.Environment["RECEIVER_SECRET"] = secret;
        // The receiver exits when our end of its stdin closes, so it cannot outlive a test process that dies.
        start.Environment["RECEIVER_EXIT_ON_STDIN_END"] = "1";

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node (scripts/test.sh installs Node.js).");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();

        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync().WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The webhook receiver did not print 'listening <port>' within {StartTimeout.TotalSeconds} s. stderr: {stderr}");
        }

        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal) || !int.TryParse(line["listening ".Length..], out var port))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The webhook receiver printed '{line}' instead of 'listening <port>'. stderr: {stderr}");
        }

        return new NodeWebhookReceiver(process, port);
    }

    /// <summary>Makes requests to <paramref name="path"/> hang (never answered) until told otherwise.</summary>
    public Task HangAsync(string path) => SetBehaviourAsync(new { path, hang = true });

    /// <summary>Makes requests to <paramref name="path"/> answer normally again (204 for a valid signature).</summary>
    public Task AnswerNormallyAsync(string path) => SetBehaviourAsync(new { path, failTimes = 0 });

    /// <summary>Everything received so far, in arrival order.</summary>
    public async Task<IReadOnlyList<Receipt>> ReceivedAsync()
    {
        var received = await _control.GetFromJsonAsync<JsonElement>("/_received");
        return received.EnumerateArray().Select(r => new Receipt(
            r.GetProperty("path").GetString()!,
            r.GetProperty("valid").GetBoolean(),
            r.GetProperty("body").Clone())).ToArray();
    }

    /// <summary>What was received at <paramref name="path"/>.</summary>
    public async Task<IReadOnlyList<Receipt>> ReceivedAtAsync(string path) =>
        (await ReceivedAsync()).Where(r => r.Path == path).ToArray();

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task SetBehaviourAsync(object behaviour)
    {
        using var response = await _control.PostAsJsonAsync("/_behaviour", behaviour);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>One request the receiver recorded.</summary>
    /// <param name="Valid">Whether the README's signature check accepted it.</param>
    /// <param name="Body">The parsed JSON body (a string when it did not parse).</param>
    public sealed record Receipt(string Path, bool Valid, JsonElement Body)
    {
        public string? EventId => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("id", out var id) ? id.GetString() : null;

        public string? Key => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("key", out var key) ? key.GetString() : null;

        public JsonElement Payload => Body.GetProperty("payload");

        public override string ToString() => $"{Path} {(Valid ? "valid" : "INVALID")} {Key} {EventId}";
    }
}
