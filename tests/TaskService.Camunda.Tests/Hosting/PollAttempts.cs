using System.Collections.Concurrent;
using System.Diagnostics;

namespace TaskService.Camunda.Tests.Hosting;

/// <summary>
/// Every fetchAndLock request the worker of the silo under test sent, in order, recorded by a handler in its HTTP client: lets a
/// test measure the pauses between polls on the clock rather than count polls after a fixed wait.
/// </summary>
public sealed class PollAttempts
{
    private readonly ConcurrentQueue<PollAttempt> _attempts = new();

    /// <summary>A handler for the worker's HTTP client that records each fetchAndLock request into this log.</summary>
    public DelegatingHandler Recorder() => new RecordingHandler(this);

    /// <summary>
    /// The failed polls since the last one that succeeded, oldest first: the first of them is the worker's first consecutive
    /// failure, the second its second, and so on (the worker polls one request at a time).
    /// </summary>
    public IReadOnlyList<PollAttempt> FailuresSinceLastSuccess() =>
        _attempts.ToArray().OrderBy(a => a.Sent).Reverse().TakeWhile(a => a.Failed).Reverse().ToArray();

    private sealed class RecordingHandler(PollAttempts log) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.AbsolutePath.EndsWith("/external-task/fetchAndLock", StringComparison.Ordinal) != true)
            {
                return await base.SendAsync(request, cancellationToken);
            }

            var sent = Stopwatch.GetTimestamp();
            var failed = true;
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                failed = !response.IsSuccessStatusCode;
                return response;
            }
            finally
            {
                log._attempts.Enqueue(new PollAttempt(sent, Stopwatch.GetTimestamp(), failed));
            }
        }
    }
}
