using System.Diagnostics;
using System.Net;
using System.Text;

namespace TaskService.Api.Tests;

/// <summary>
/// An in-process webhook receiver whose answers a test scripts, for answers the Node receiver cannot give
/// (such as a 429 with a Retry-After header), or holds on to (an answer that waits for the test). Requests are served at
/// once, each on its own; every request is recorded with the time it arrived.
/// </summary>
public sealed class ScriptedReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<string, IReadOnlyList<Request>, Task<Answer>> _answer;
    private readonly List<Request> _requests = [];
    private readonly Task _loop;

    private ScriptedReceiver(HttpListener listener, int port, Func<string, IReadOnlyList<Request>, Task<Answer>> answer)
    {
        _listener = listener;
        _answer = answer;
        Port = port;
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Starts listening on a free loopback port.</summary>
    /// <param name="answer">Given a request body and the requests before it, says how to answer.</param>
    public static ScriptedReceiver Start(Func<string, IReadOnlyList<Request>, Answer> answer) =>
        Start((body, earlier) => Task.FromResult(answer(body, earlier)));

    /// <summary>Starts listening on a free loopback port; each answer may wait (other requests are served meanwhile).</summary>
    public static ScriptedReceiver Start(Func<string, IReadOnlyList<Request>, Task<Answer>> answer)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePorts.Next();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new ScriptedReceiver(listener, port, answer);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Another process took the port between probing and binding; try another.
                listener.Close();
            }
        }
    }

    public IReadOnlyList<Request> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync();
            }

            var request = new Request(
                Stopwatch.GetTimestamp(),
                context.Request.Url?.AbsolutePath ?? "/",
                body,
                context.Request.Headers["x-task-signature"],
                context.Request.Headers["x-task-timestamp"]);
            Request[] earlier;
            lock (_requests)
            {
                earlier = [.. _requests];
                _requests.Add(request);
            }

            var answer = await _answer(body, earlier);
            context.Response.StatusCode = answer.Status;
            foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
            {
                context.Response.AddHeader(name, value);
            }

            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // The listener stopped, or the sender hung up: nothing is left to answer.
        }
    }

    /// <param name="ArrivedAt">A <see cref="Stopwatch.GetTimestamp"/> value.</param>
    public sealed record Request(long ArrivedAt, string Path, string Body, string? Signature, string? Timestamp);

    public sealed record Answer(int Status, IReadOnlyDictionary<string, string>? Headers = null);
}
