using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TaskService.Webhooks;

namespace TaskService.Testing;

/// <summary>
/// The webhook receiver of the tests: it records every POST with its signature verdict and answers 204 for a valid signature,
/// 401 for an invalid one, unless a behaviour set for the path says otherwise (fail some times, or hang).
/// Two ways to run it, with one set of methods:
/// <list type="bullet">
/// <item><see cref="StartNodeAsync"/>: the Node receiver of <c>tests/node/webhook-receiver.js</c>, which checks signatures with
/// the sample code of the task-service README (and the Standard Webhooks library) — what a subscriber really runs;</item>
/// <item><see cref="StartAsync"/>: in this process, checking with the service's own signature code, and able to give answers the
/// Node receiver cannot (a 429 with a Retry-After header, say).</item>
/// </list>
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly Process? _node;
    private readonly InProcessReceiver? _inProcess;

    private WebhookReceiver(int port, Process? node, InProcessReceiver? inProcess)
    {
        Port = port;
        _node = node;
        _inProcess = inProcess;
        Control = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    /// <summary>A client for posting to the receiver directly (and, for the Node receiver, for its control endpoints).</summary>
    public HttpClient Control { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Starts the Node receiver (the README's signature sample) on a free port.</summary>
    /// <param name="secret">The client app secret the README's check of <c>x-task-signature</c> uses.</param>
    /// <param name="standardSecrets">
    /// The secrets the Standard Webhooks library tries on <c>webhook-signature</c> (any one verifying is enough); by default
    /// <paramref name="secret"/>. Giving one secret per receiver tells which secrets a delivery verifies with.
    /// </param>
    public static async Task<WebhookReceiver> StartNodeAsync(string secret, IReadOnlyList<string>? standardSecrets = null)
    {
        var start = new ProcessStartInfo("node", [RepositoryRoot.File("tests", "node", "webhook-receiver.js")])
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

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"The webhook receiver needs Node.js ('node' on PATH); scripts/test.sh installs it. ({exception.Message})", exception);
        }

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

        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal)
            || !int.TryParse(line["listening ".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The webhook receiver printed '{line}' instead of 'listening <port>'. stderr: {stderr}");
        }

        return new WebhookReceiver(port, process, null);
    }

    /// <summary>Starts a receiver in this process on a free loopback port.</summary>
    /// <param name="secret">The client app secret signatures are checked with; without one, no request counts as valid.</param>
    /// <param name="answer">
    /// Given a request and the requests before it, says how to answer; without it, the receiver answers as the Node one does.
    /// </param>
    /// <param name="hold">
    /// Awaited before a request is answered, so a test can keep requests open (others are served meanwhile); given the token
    /// that ends when the sender gives the request up.
    /// </param>
    public static async Task<WebhookReceiver> StartAsync(
        string? secret = null,
        Func<WebhookReceipt, IReadOnlyList<WebhookReceipt>, WebhookAnswer>? answer = null,
        Func<WebhookReceipt, CancellationToken, Task>? hold = null)
    {
        var receiver = new InProcessReceiver(secret, answer, hold);
        var port = await receiver.StartAsync();
        return new WebhookReceiver(port, null, receiver);
    }

    /// <summary>Makes the next <paramref name="failTimes"/> requests to <paramref name="path"/> answer <paramref name="status"/>, or hang.</summary>
    /// <param name="failTimes">How many requests; by default none, or all of them when hanging.</param>
    public async Task SetBehaviourAsync(string path, int? failTimes = null, int status = 500, bool hang = false)
    {
        if (_inProcess is not null)
        {
            _inProcess.SetBehaviour(path, failTimes ?? (hang ? int.MaxValue : 0), status, hang);
            return;
        }

        object behaviour = failTimes is { } times
            ? new { path, failTimes = times, status, hang }
            : new { path, status, hang };
        using var response = await Control.PostAsJsonAsync("/_behaviour", behaviour);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Makes requests to <paramref name="path"/> hang (never answered) until told otherwise.</summary>
    public Task HangAsync(string path) => SetBehaviourAsync(path, hang: true);

    /// <summary>Makes requests to <paramref name="path"/> answer normally again (204 for a valid signature).</summary>
    public Task AnswerNormallyAsync(string path) => SetBehaviourAsync(path, failTimes: 0);

    /// <summary>Everything received so far, in arrival order.</summary>
    public async Task<IReadOnlyList<WebhookReceipt>> ReceivedAsync()
    {
        if (_inProcess is not null)
        {
            return _inProcess.Received;
        }

        var received = await Control.GetFromJsonAsync<JsonElement>("/_received");
        return received.EnumerateArray().Select(ReadNodeReceipt).ToArray();
    }

    /// <summary>What was received at <paramref name="path"/>.</summary>
    public async Task<IReadOnlyList<WebhookReceipt>> ReceivedAtAsync(string path) =>
        (await ReceivedAsync()).Where(r => r.Path == path).ToArray();

    /// <summary>The receipts at <paramref name="path"/> whose task-created or task-completed payload names a task with <paramref name="taskKeyOrId"/>.</summary>
    public async Task<IReadOnlyList<WebhookReceipt>> ReceivedForAsync(string path, string taskKeyOrId) =>
        (await ReceivedAsync()).Where(r => r.Path == path && r.Concerns(taskKeyOrId)).ToArray();

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        if (_inProcess is not null)
        {
            await _inProcess.DisposeAsync();
        }

        if (_node is not null)
        {
            await StopAsync(_node);
        }
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            process.Dispose();
        }
    }

    private static WebhookReceipt ReadNodeReceipt(JsonElement r)
    {
        var headers = r.GetProperty("headers");
        return new WebhookReceipt(
            r.GetProperty("path").GetString()!,
            r.GetProperty("valid").GetBoolean(),
            r.GetProperty("body").Clone(),
            StringOrNull(headers, "signature"),
            StringOrNull(headers, "timestamp"),
            r.TryGetProperty("standardValid", out var standard) && standard.ValueKind is JsonValueKind.True or JsonValueKind.False ? standard.GetBoolean() : null,
            StringOrNull(headers, "traceparent"),
            StringOrNull(headers, "webhookSignature"),
            r.TryGetProperty("receivedAt", out var at) && at.ValueKind == JsonValueKind.String ? at.GetDateTimeOffset() : DateTimeOffset.MinValue);
    }

    private static string? StringOrNull(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The in-process receiver: a minimal API on Kestrel, bound to port 0 of the loopback address.</summary>
    private sealed class InProcessReceiver(
        string? secret, Func<WebhookReceipt, IReadOnlyList<WebhookReceipt>, WebhookAnswer>? answer, Func<WebhookReceipt, CancellationToken, Task>? hold) : IAsyncDisposable
    {
        private readonly List<WebhookReceipt> _received = [];
        private readonly ConcurrentDictionary<string, Behaviour> _behaviours = new(StringComparer.Ordinal);
        private readonly CancellationTokenSource _stopping = new();
        private WebApplication? _app;

        public IReadOnlyList<WebhookReceipt> Received
        {
            get
            {
                lock (_received)
                {
                    return _received.ToArray();
                }
            }
        }

        public void SetBehaviour(string path, int times, int status, bool hang) => _behaviours[path] = new Behaviour(times, status, hang);

        public async Task<int> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            _app = builder.Build();
            _app.MapPost("/{**path}", ReceiveAsync);
            await _app.StartAsync();
            return new Uri(_app.Urls.First()).Port;
        }

        public async ValueTask DisposeAsync()
        {
            await _stopping.CancelAsync();
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }

            _stopping.Dispose();
        }

        private async Task ReceiveAsync(HttpContext context)
        {
            var arrivedAt = DateTimeOffset.UtcNow;
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var bytes = buffer.ToArray();
            var headers = context.Request.Headers;
            string? signature = headers[WebhookSignature.SignatureHeader];
            string? timestamp = headers[WebhookSignature.TimestampHeader];
            var valid = secret is not null
                && long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
                && WebhookSignature.Verify(secret, bytes, milliseconds, signature);
            var receipt = new WebhookReceipt(
                context.Request.Path.Value ?? "/",
                valid,
                Parse(bytes),
                signature,
                timestamp,
                StandardValid: null,
                headers["traceparent"],
                headers["webhook-signature"],
                arrivedAt);

            WebhookAnswer reply;
            lock (_received)
            {
                reply = answer?.Invoke(receipt, _received.ToArray()) ?? new WebhookAnswer(valid ? 204 : 401);
                _received.Add(receipt);
            }

            if (hold is not null)
            {
                await hold(receipt, context.RequestAborted);
            }

            if (_behaviours.TryGetValue(receipt.Path, out var behaviour) && behaviour.TryTake())
            {
                if (behaviour.Hang)
                {
                    // Never answered: the connection is dropped when the test stops the receiver.
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
                    await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                    context.Abort();
                    return;
                }

                reply = new WebhookAnswer(behaviour.Status);
            }

            context.Response.StatusCode = reply.Status;
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }
        }

        private static JsonElement Parse(byte[] body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(body));
            }
        }

        private sealed class Behaviour(int times, int status, bool hang)
        {
            private int _remaining = times;

            public int Status => status;

            public bool Hang => hang;

            public bool TryTake()
            {
                while (true)
                {
                    var remaining = Volatile.Read(ref _remaining);
                    if (remaining <= 0)
                    {
                        return false;
                    }

                    if (remaining == int.MaxValue || Interlocked.CompareExchange(ref _remaining, remaining - 1, remaining) == remaining)
                    {
                        return true;
                    }
                }
            }
        }
    }
}
