using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace TaskService.Benchmarks;

/// <summary>
/// Sends a phase's events, prints progress every second, and waits for every event's webhook until a deadline. Closed loop
/// (<see cref="RunAsync"/>): a fixed number of concurrent HTTP clients, each sending its next event as soon as the previous
/// trigger answered, or, with <c>awaitDelivery</c>, as soon as the previous event's webhook arrived. Open loop
/// (<see cref="RunOpenLoopAsync"/>): events sent at a fixed rate whatever the answers. A 503 (backpressure) is counted as
/// refused and the event is sent again after the Retry-After the service asked for.
/// </summary>
internal sealed class LoadDriver(
    TaskServiceApi api,
    BenchmarkDatabase database,
    DeliveryLog log,
    string runId,
    string eventKey,
    int concurrency,
    bool awaitDelivery,
    TimeSpan deadline)
{
    private const int MaxAttempts = 5;

    /// <summary>Sends events start .. start+count-1 and waits for them; stops early when <paramref name="interrupted"/> fires.</summary>
    /// <param name="quiet">Print only the phase's last progress line.</param>
    public Task<PhaseResult> RunAsync(string name, int start, int count, CancellationToken interrupted, bool quiet = false) =>
        RunCoreAsync(name, start, count, rate: null, interrupted, quiet);

    /// <summary>Sends events start .. start+count-1 at <paramref name="rate"/> per second, whatever the answers, and waits for them.</summary>
    public Task<PhaseResult> RunOpenLoopAsync(string name, int start, int count, double rate, CancellationToken interrupted) =>
        RunCoreAsync(name, start, count, rate, interrupted, quiet: false);

    private async Task<PhaseResult> RunCoreAsync(string name, int start, int count, double? rate, CancellationToken interrupted, bool quiet)
    {
        var next = start - 1;
        var sent = 0;
        var failed = 0;
        var retried = 0;
        var refused = 0;
        var maxBacklog = 0L;
        var lastAnswered = 0L;
        var triggerLatencies = new ConcurrentBag<double>();
        var deliveredBefore = log.Delivered;
        var stagesBefore = (Statistics: await database.ReadStagesAsync(exact: false), Exact: await database.ReadStagesAsync(exact: true));
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var begin = Stopwatch.GetTimestamp();

        // intendedAt: in the open loop, when the schedule meant the event to go. Its latency counts from then, so that a send the
        // load process was late to start (a thread waking up, a busy core) does not hide the wait from the figures.
        async Task SendOneAsync(int id, long? intendedAt = null)
        {
            var arrival = awaitDelivery ? log.ArrivalAsync(id) : Task.CompletedTask;
            var sentAt = intendedAt ?? Stopwatch.GetTimestamp();
            log.MarkSent(id, sentAt);
            var accepted = false;
            for (var attempt = 1; attempt <= MaxAttempts && !accepted && !interrupted.IsCancellationRequested; attempt++)
            {
                HttpStatusCode? status = null;
                try
                {
                    status = await api.TriggerAsync(runId, eventKey, id, interrupted);
                    accepted = status == HttpStatusCode.Accepted;
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    accepted = false;
                }

                if (status == HttpStatusCode.ServiceUnavailable)
                {
                    // Backpressure: not a failure. Wait as asked (the service says 1 s by default) and send it again.
                    Interlocked.Increment(ref refused);
                    attempt--;
                    await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                }
                else if (status == HttpStatusCode.TooManyRequests)
                {
                    // Over the caller's rate limit (the benchmark's silo raises it; a server of yours may not): wait and resend.
                    Interlocked.Increment(ref retried);
                    attempt--;
                    await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                }
                else if (!accepted && attempt < MaxAttempts && !interrupted.IsCancellationRequested)
                {
                    Interlocked.Increment(ref retried);
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
                }
            }

            var answered = Stopwatch.GetTimestamp();
            InterlockedMax(ref lastAnswered, answered);
            if (accepted)
            {
                triggerLatencies.Add(Stopwatch.GetElapsedTime(sentAt, answered).TotalMilliseconds);
            }
            else
            {
                Interlocked.Increment(ref failed);
            }

            Interlocked.Increment(ref sent);
            if (accepted && awaitDelivery)
            {
                try
                {
                    await arrival.WaitAsync(deadline, interrupted);
                }
                catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
                {
                }
            }
        }

        async Task ClientAsync()
        {
            int id;
            while (!interrupted.IsCancellationRequested && (id = Interlocked.Increment(ref next)) < start + count)
            {
                await SendOneAsync(id);
            }
        }

        // Open loop: event i leaves at begin + i / rate, whether or not earlier ones were answered.
        async Task ScheduleAsync(double perSecond)
        {
            var sends = new List<Task>(count);
            for (var i = 0; i < count && !interrupted.IsCancellationRequested; i++)
            {
                var offset = TimeSpan.FromSeconds(i / perSecond);
                var due = offset - Stopwatch.GetElapsedTime(begin);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, CancellationToken.None);
                }

                var id = start + i;
                var intendedAt = begin + (long)(offset.TotalSeconds * Stopwatch.Frequency);
                sends.Add(Task.Run(() => SendOneAsync(id, intendedAt)));
            }

            await Task.WhenAll(sends);
        }

        var clients = rate is { } perSecond
            ? Task.Run(() => ScheduleAsync(perSecond))
            : Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(ClientAsync)));

        // Progress every second until every event was sent and delivered, or the deadline after the last send passed.
        var lastPrint = begin;
        var deliveredAtLastPrint = 0;
        long? sendsEndedAt = null;
        while (true)
        {
            var delivered = log.Delivered - deliveredBefore;
            var now = Stopwatch.GetTimestamp();
            if (clients.IsCompleted && sendsEndedAt is null)
            {
                await clients;
                sendsEndedAt = now;
            }

            var done = sendsEndedAt is not null && delivered >= count - Volatile.Read(ref failed);
            var stopped = interrupted.IsCancellationRequested;
            var late = sendsEndedAt is { } ended && Stopwatch.GetElapsedTime(ended, now) > deadline;
            if ((!quiet && Stopwatch.GetElapsedTime(lastPrint, now) >= TimeSpan.FromSeconds(1)) || done || late || stopped)
            {
                var interval = Stopwatch.GetElapsedTime(lastPrint, now).TotalSeconds;
                var last = done || late || stopped;
                var (stages, backlog) = await StagesSinceAsync(stagesBefore, exact: last);
                maxBacklog = Math.Max(maxBacklog, backlog);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{name,-7}] {Stopwatch.GetElapsedTime(begin, now).TotalSeconds,6:0.0} s  sent {Volatile.Read(ref sent),6}/{count}  " +
                    $"delivered {delivered,6}/{count}  in flight {Volatile.Read(ref sent) - delivered,5}  " +
                    $"{(interval > 0 ? (delivered - deliveredAtLastPrint) / interval : 0),7:0.0} delivered/s | " +
                    $"{stages}{(refused > 0 ? $" refused {Volatile.Read(ref refused)}" : "")}"));
                lastPrint = now;
                deliveredAtLastPrint = delivered;
            }

            if (done || late || stopped)
            {
                break;
            }

            await Task.Delay(10);
        }

        var endToEnd = new List<double>(count);
        var lastArrival = begin;
        for (var id = start; id < start + count; id++)
        {
            var arrived = log.ArrivedAt(id);
            if (arrived != 0)
            {
                endToEnd.Add(Stopwatch.GetElapsedTime(log.SentAt(id), arrived).TotalMilliseconds);
                lastArrival = Math.Max(lastArrival, arrived);
            }
        }

        var deliveredCount = endToEnd.Count;
        return new PhaseResult
        {
            Name = name,
            Sent = sent,
            Delivered = deliveredCount,
            FailedTriggers = failed,
            RetriedTriggers = retried,
            RefusedTriggers = refused,
            MaxBacklog = maxBacklog,
            Rate = rate,
            SendDuration = Stopwatch.GetElapsedTime(begin, lastAnswered),
            WallTime = Stopwatch.GetElapsedTime(begin, deliveredCount == count ? lastArrival : Stopwatch.GetTimestamp()),
            EndToEnd = LatencySummary.Of(endToEnd),
            TriggerResponse = LatencySummary.Of(triggerLatencies.ToArray()),
            LoadCpu = Environment.CpuUsage.TotalTime - cpuBefore,
        };
    }

    /// <summary>
    /// The stage counts of this phase for the progress line, and the backlog (recorded, not yet routed); a failed read shows as
    /// "stages unknown" rather than ending the run. The counts shown count from the exact reading at the phase's start: the
    /// statistics lag behind the inserts (PostgreSQL publishes a busy session's counts once a second, an idle one's up to ten
    /// seconds late), so counted from a reading of them the warm-up's last rows would show as this phase's. Read from the
    /// statistics during the phase, they lag by as much, never more. The backlog counts from a reading made the same way.
    /// </summary>
    private async Task<(string Stages, long Backlog)> StagesSinceAsync((StageCounts Statistics, StageCounts Exact) before, bool exact)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var now = await database.ReadStagesAsync(exact, timeout.Token);
            var backlog = now.Minus(exact ? before.Exact : before.Statistics);
            return (now.Minus(before.Exact).AtLeastZero().ToString(), backlog.Recorded - backlog.Routed);
        }
        catch (Exception exception) when (exception is Npgsql.NpgsqlException or OperationCanceledException)
        {
            return ($"stages unknown ({exception.GetType().Name})", 0);
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
