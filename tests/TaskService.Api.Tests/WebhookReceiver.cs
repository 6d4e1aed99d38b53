using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TaskService.Api.Tests;

/// <summary>
/// The Node webhook receiver of <c>tests/node/webhook-receiver.js</c>, started on a free port with a client app's secret.
/// It checks every delivery with the signature sample of the task-service README and records it.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;

    private WebhookReceiver(Process process, int port)
    {
        _process = process;
        Port = port;
        Control = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int Port { get; }

    /// <summary>A client for the receiver's control endpoints, and for posting to it directly.</summary>
    public HttpClient Control { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <param name="secret">The client app secret the README's check of <c>x-task-signature</c> uses.</param>
    /// <param name="standardSecrets">
    /// The secrets the Standard Webhooks library tries on <c>webhook-signature</c> (any one verifying is enough); by default
    /// <paramref name="secret"/>. Giving one secret per receiver tells which secrets a delivery verifies with.
    /// </param>
    public static async Task<WebhookReceiver> StartAsync(string secret, IReadOnlyList<string>? standardSecrets = null)
    {
        var script = Path.Combine(RepositoryRoot(), "tests", "node", "webhook-receiver.js");
        var start = new ProcessStartInfo("node", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["RECEIVER_PORT"] = "0";
        start.Environment["RECEIVER_SECRET"] = secret;
        if (standardSecrets is not null)
        {
            start.Environment["RECEIVER_STANDARD_SECRETS"] = string.Join(',', standardSecrets);
        }
        // The receiver exits when our end of its stdin closes, so it cannot outlive a test process that dies.
        start.Environment["RECEIVER_EXIT_ON_STDIN_END"] = "1";

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
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

        return new WebhookReceiver(process, port);
    }

    /// <summary>Makes the next <paramref name="failTimes"/> requests to <paramref name="path"/> answer <paramref name="status"/>, or hang.</summary>
    public async Task SetBehaviourAsync(string path, int? failTimes = null, int status = 500, bool hang = false)
    {
        object behaviour = failTimes is { } times
            ? new { path, failTimes = times, status, hang }
            : new { path, status, hang };
        var response = await Control.PostAsJsonAsync("/_behaviour", behaviour);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Everything received so far, in arrival order.</summary>
    public async Task<IReadOnlyList<Receipt>> ReceivedAsync()
    {
        var received = await Control.GetFromJsonAsync<JsonElement>("/_received");
        return received.EnumerateArray().Select(r => new Receipt(
            r.GetProperty("path").GetString()!,
            r.GetProperty("valid").GetBoolean(),
            r.GetProperty("body").Clone(),
            r.GetProperty("headers").GetProperty("signature").GetString(),
            r.GetProperty("headers").GetProperty("timestamp").GetString(),
            r.TryGetProperty("standardValid", out var standard) && standard.ValueKind is JsonValueKind.True or JsonValueKind.False ? standard.GetBoolean() : null,
            r.GetProperty("headers").TryGetProperty("traceparent", out var trace) && trace.ValueKind == JsonValueKind.String ? trace.GetString() : null,
            r.GetProperty("headers").TryGetProperty("webhookSignature", out var signatures) && signatures.ValueKind == JsonValueKind.String ? signatures.GetString() : null)).ToArray();
    }

    /// <summary>The receipts at <paramref name="path"/> whose task-created or task-completed payload names a task with <paramref name="taskKeyOrId"/>.</summary>
    public async Task<IReadOnlyList<Receipt>> ReceivedForAsync(string path, string taskKeyOrId) =>
        (await ReceivedAsync()).Where(r => r.Path == path && r.Concerns(taskKeyOrId)).ToArray();

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
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

    /// <summary>The folder that holds TaskService.sln, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TaskService.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds TaskService.sln.");
    }

    /// <summary>One request the receiver recorded.</summary>
    /// <param name="Valid">Whether the README's signature check accepted it.</param>
    /// <param name="Body">The parsed JSON body (a string when it did not parse).</param>
    /// <param name="StandardValid">Whether the Standard Webhooks library accepted its webhook-* headers (null when the library is not installed).</param>
    /// <param name="TraceParent">The delivery's traceparent header.</param>
    /// <param name="StandardSignature">The delivery's webhook-signature header: one or more <c>v1,</c> signatures separated by spaces.</param>
    public sealed record Receipt(
        string Path, bool Valid, JsonElement Body, string? Signature, string? Timestamp, bool? StandardValid = null, string? TraceParent = null,
        string? StandardSignature = null)
    {
        public string? EventId => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("id", out var id) ? id.GetString() : null;

        public string? Key => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("key", out var key) ? key.GetString() : null;

        public JsonElement Payload => Body.GetProperty("payload");

        /// <summary>Whether the delivery is about a task with this key or id: a created task's key or id, or a completed task's id.</summary>
        public bool Concerns(string taskKeyOrId)
        {
            if (Body.ValueKind != JsonValueKind.Object || !Body.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (payload.TryGetProperty("taskId", out var taskId) && taskId.ValueKind == JsonValueKind.String && taskId.GetString() == taskKeyOrId)
            {
                return true;
            }

            return payload.TryGetProperty("createdTasks", out var created) && created.ValueKind == JsonValueKind.Array
                && created.EnumerateArray().Any(t =>
                    (t.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String && key.GetString() == taskKeyOrId)
                    || (t.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == taskKeyOrId));
        }
    }
}
