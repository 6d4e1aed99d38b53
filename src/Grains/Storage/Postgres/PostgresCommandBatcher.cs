using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace TaskService.Storage.Postgres;

/// <summary>
/// Group commit for one silo: writes that callers make at about the same time (an event recorded, an instance saved, a task
/// with its outgoing event, delivery outcomes) share one batch, which is one round trip and one transaction, and so do the
/// reads of the event path (a task or an instance loaded as it activates). Each caller resumes once the batch holding its
/// statements has committed, so a write is exactly as durable as if it had been committed alone.
/// </summary>
/// <remarks>
/// A write arriving while no batch runs starts one at once. While batches run, another one starts beside them only once
/// <see cref="WritesToStartAnotherBatch"/> writes wait, or once the batch started last has run for <see cref="SlowBatch"/>, and
/// never more than <see cref="MaxConcurrentBatches"/> run; fewer writes wait for a running batch to finish and take them. So
/// the busier the silo, the more writes share a commit (and a round trip, which costs the silo and the server more CPU than
/// the statements' bytes). Writes that run the same <see cref="IMergedStatement"/> run it once for all of them. When a
/// statement fails, the write it belongs to fails alone with that error and the others run again without it (the failed
/// batch committed nothing). A deadlock or serialization failure runs the whole batch again.
/// </remarks>
/// <param name="writesToStartAnotherBatch">Writes queued before another batch starts beside a running one.</param>
/// <param name="lane">The lane its metrics name (<see cref="GroupCommitInstruments.LaneTag"/>).</param>
/// <param name="slowBatch">
/// How long the batch started last may run before a write arriving meanwhile starts another beside it, however few wait; null
/// for no such time (only <paramref name="writesToStartAnotherBatch"/> counts).
/// </param>
/// <param name="time">The clock of <paramref name="slowBatch"/> and <paramref name="commitDelay"/>; the system clock when null.</param>
/// <param name="commitDelay">
/// How long the next batch waits once a busy one has committed and a few writes wait (<see cref="CommitDelay"/>); null for
/// no wait.
/// </param>
public sealed class PostgresCommandBatcher(
    NpgsqlDataSource dataSource,
    int writesToStartAnotherBatch = PostgresCommandBatcher.DefaultWritesToStartAnotherBatch,
    string lane = "writes",
    TimeSpan? slowBatch = null,
    TimeProvider? time = null,
    TimeSpan? commitDelay = null)
{
    /// <summary>
    /// Batches running at once; a write arriving while they run goes with the next one. Two keep one batch filling while the
    /// other commits. Against four, in four pairs of 15,000 events on 2 cores: events/s level (1,697 against 1,666 on
    /// average), PostgreSQL CPU per event 9% lower, 0.16-0.20 instead of 0.21-0.24 write transactions per event, and half the
    /// connections; latency at 850-900 events/s level within the host's noise. One carried fewer events/s than two.
    /// </summary>
    public const int MaxConcurrentBatches = 2;

    /// <summary>Statements in one batch at most (a write's statements always go together).</summary>
    public const int MaxCommands = 500;

    private const int MaxTransientRetries = 3;

    /// <summary>Writes waiting for a batch to take them.</summary>
    public int QueuedWrites => Volatile.Read(ref _queued);

    /// <summary>The default of <see cref="WritesToStartAnotherBatch"/>.</summary>
    public const int DefaultWritesToStartAnotherBatch = 8;

    /// <summary>Writes queued before another batch starts beside a running one; fewer wait for a running batch to take them.</summary>
    public int WritesToStartAnotherBatch { get; } = writesToStartAnotherBatch > 0
        ? writesToStartAnotherBatch
        : throw new ArgumentOutOfRangeException(nameof(writesToStartAnotherBatch), writesToStartAnotherBatch, "At least one write must wait before another batch starts.");

    /// <summary>
    /// How long the batch started last may run before a write arriving meanwhile starts another beside it, however few wait
    /// (a batch held up by a lock or a slow commit holds up no write for longer); null when only the queued writes count.
    /// </summary>
    public TimeSpan? SlowBatch { get; } = slowBatch is not { } limit || (limit > TimeSpan.Zero && limit <= TimeSpan.FromHours(1))
        ? slowBatch
        : throw new ArgumentOutOfRangeException(nameof(slowBatch), slowBatch, "A batch counts as slow after more than no time and at most an hour.");

    /// <summary>Writes in a batch that make it a busy one: only after such a batch does <see cref="CommitDelay"/> apply.</summary>
    public const int WritesOfABusyBatch = 4;

    /// <summary>
    /// How long the next batch waits once a busy batch (<see cref="WritesOfABusyBatch"/> writes or more) has committed and
    /// fewer than <see cref="WritesToStartAnotherBatch"/> writes wait, so that the writes arriving meanwhile share its commit
    /// (<see cref="GroupCommitOptions.CommitDelay"/>); null when the next batch starts at once.
    /// </summary>
    public TimeSpan? CommitDelay { get; } = commitDelay is not { } delay || (delay > TimeSpan.Zero && delay <= TimeSpan.FromSeconds(1))
        ? commitDelay
        : throw new ArgumentOutOfRangeException(nameof(commitDelay), commitDelay, "A commit delay is more than no time and at most a second.");

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _slowBatchTicks = slowBatch is { } slow
        ? (long)(slow.TotalSeconds * (time ?? TimeProvider.System).TimestampFrequency)
        : long.MaxValue;

    private readonly KeyValuePair<string, object?> _laneTag = new(GroupCommitInstruments.LaneTag, lane);
    private readonly ConcurrentQueue<GroupWrite> _queue = new();
    private int _queued;
    private int _running;

    /// <summary>When the batch started last began (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    private long _lastStarted;

    /// <summary>The timer of <see cref="CheckOnceTheBatchIsSlow"/>, made on its first use, and whether it is set.</summary>
    private ITimer? _slowBatchCheck;
    private int _slowBatchCheckArmed;

    /// <summary>Runs <paramref name="commands"/>, which return no rows, in the next batch; completes once it committed.</summary>
    /// <param name="entity">What is written, named when PostgreSQL cannot store its text.</param>
    public Task WriteAsync(string entity, IReadOnlyList<NpgsqlBatchCommand> commands) =>
        RunAsync<bool>(entity, commands, 0, static (_, _) => null, static _ => true);

    /// <summary>
    /// Runs <paramref name="commands"/> in the next batch and, once it committed, returns what <paramref name="result"/> makes of
    /// the rows of the <paramref name="resultSets"/> commands that return rows, each read by <paramref name="readRow"/> (given the
    /// reader on the row and the index of its result set). Reads ride along too: they see what the batch wrote before them.
    /// </summary>
    /// <param name="entity">What is written or read, named when PostgreSQL cannot store its text.</param>
    public Task<T> RunAsync<T>(
        string entity,
        IReadOnlyList<NpgsqlBatchCommand> commands,
        int resultSets,
        Func<NpgsqlDataReader, int, object?> readRow,
        Func<IReadOnlyList<List<object?>>, T> result)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(readRow);
        ArgumentNullException.ThrowIfNull(result);
        return Enqueue(new GroupWrite<T>(entity, commands, resultSets, readRow, result));
    }

    /// <summary>
    /// Runs <paramref name="statement"/> for <paramref name="values"/> in the next batch, as one statement with the other writes
    /// of that batch that run the same one, and once it committed returns what <paramref name="result"/> makes of this write's
    /// rows, each read by <paramref name="readRow"/> (past the row's first column, the write's position; see
    /// <see cref="IMergedStatement.Build"/>). When the statement fails, each of its writes runs again alone, so that the error
    /// goes to the write it belongs to.
    /// </summary>
    internal Task<T> RunMergedAsync<T>(
        string entity,
        IMergedStatement statement,
        object values,
        Func<NpgsqlDataReader, object?> readRow,
        Func<IReadOnlyList<object?>, T> result)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(readRow);
        ArgumentNullException.ThrowIfNull(result);
        return Enqueue(new GroupWrite<T>(entity, [], 1, (reader, _) => readRow(reader), rows => result(rows[0]))
        {
            Merged = statement,
            MergeValues = values,
        });
    }

    private Task<T> Enqueue<T>(GroupWrite<T> write)
    {
        _queue.Enqueue(write);
        Interlocked.Increment(ref _queued);
        StartRunner();
        return write.Task;
    }

    private void StartRunner()
    {
        while (true)
        {
            var running = Volatile.Read(ref _running);
            if (running >= MaxConcurrentBatches || _queue.IsEmpty)
            {
                return;
            }

            if (running > 0 && !AnotherBatchIsDue())
            {
                // Should no other write come, the waiting ones still go beside a batch that turns out slow.
                CheckOnceTheBatchIsSlow();
                return;
            }

            if (Interlocked.CompareExchange(ref _running, running + 1, running) == running)
            {
                _ = Task.Run(RunAsync);
                return;
            }
        }
    }

    /// <summary>Whether writes waiting beside running batches start one more: enough of them wait, or the last one is slow.</summary>
    private bool AnotherBatchIsDue() =>
        Volatile.Read(ref _queued) >= WritesToStartAnotherBatch
        || (SlowBatch is not null && _time.GetTimestamp() - Volatile.Read(ref _lastStarted) >= _slowBatchTicks);

    /// <summary>Looks at the queue again once the batch started last has run for <see cref="SlowBatch"/> (once per such wait).</summary>
    private void CheckOnceTheBatchIsSlow()
    {
        if (SlowBatch is null || Volatile.Read(ref _slowBatchCheckArmed) == 1 || Interlocked.Exchange(ref _slowBatchCheckArmed, 1) == 1)
        {
            return;
        }

        // Only the caller that set the flag gets here until the timer fires, so one timer is made.
        _slowBatchCheck ??= CreateSlowBatchTimer();
        var left = _slowBatchTicks - (_time.GetTimestamp() - Volatile.Read(ref _lastStarted));
        _slowBatchCheck.Change(TimeSpan.FromSeconds(Math.Max(left, 0) / (double)_time.TimestampFrequency), Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The timer of <see cref="CheckOnceTheBatchIsSlow"/>, made without the first caller's execution context: the batches it
    /// starts must not run for good under that caller's trace and async-local values.
    /// </summary>
    private ITimer CreateSlowBatchTimer()
    {
        TimerCallback check = static state =>
        {
            var batcher = (PostgresCommandBatcher)state!;
            Volatile.Write(ref batcher._slowBatchCheckArmed, 0);
            batcher.StartRunner();
        };
        if (ExecutionContext.IsFlowSuppressed())
        {
            return _time.CreateTimer(check, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        using (ExecutionContext.SuppressFlow())
        {
            return _time.CreateTimer(check, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            var writes = new List<GroupWrite>();
            GroupWrite? carried = null;
            while (Take(writes, ref carried))
            {
                var started = Stopwatch.GetTimestamp();
                Volatile.Write(ref _lastStarted, _time.GetTimestamp());
                await RunBatchAsync(writes);
                GroupCommitInstruments.BatchWrites.Record(writes.Count, _laneTag);
                GroupCommitInstruments.BatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _laneTag);
                var busy = writes.Count >= WritesOfABusyBatch;
                writes.Clear();
                var waiting = Volatile.Read(ref _queued);
                if (busy && CommitDelay is { } delay && waiting > 0 && waiting < WritesToStartAnotherBatch)
                {
                    // Still counted as running, so writes arriving now wait for this runner's next batch (unless enough
                    // of them come to start another beside it).
                    await Task.Delay(delay, _time);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);

            // A write queued after the last look at the queue, while this runner was still counted, needs a runner.
            StartRunner();
        }
    }

    /// <summary>
    /// Takes the writes of the next batch: <paramref name="carried"/> first, then queued ones up to <see cref="MaxCommands"/>
    /// statements. The write that would pass that bound is carried to this runner's next batch.
    /// </summary>
    /// <remarks>
    /// The queue is never peeked: a peek makes a <see cref="ConcurrentQueue{T}"/> keep every item it hands out in its segment
    /// (for the peeker's sake) and start a new segment every 32 items. A segment that lived through one collection then held
    /// every write behind it alive through the next young-generation collections, with its statements and rows: at 1,250
    /// events/s each of those collections promoted 12-16 MB and paused the silo for about 30 ms.
    /// </remarks>
    private bool Take(List<GroupWrite> writes, ref GroupWrite? carried)
    {
        var commands = 0;
        if (carried is not null)
        {
            writes.Add(carried);
            commands = carried.CommandCount;
            carried = null;
        }

        while (_queue.TryDequeue(out var next))
        {
            Interlocked.Decrement(ref _queued);
            if (writes.Count > 0 && commands + next.CommandCount > MaxCommands)
            {
                carried = next;
                break;
            }

            writes.Add(next);
            commands += next.CommandCount;
        }

        return writes.Count > 0;
    }

    /// <param name="writes">The writes to run in one batch.</param>
    /// <param name="afterFailure">The writes' statements ran in a batch that failed.</param>
    private async Task RunBatchAsync(List<GroupWrite> writes, bool afterFailure = false)
    {
        var pending = writes;
        var transientRetries = 0;
        var isolate = false;
        List<GroupWrite>? alone = null;
        for (var attempt = afterFailure ? 1 : 0; pending.Count > 0 && !isolate; attempt++)
        {
            await using var batch = new NpgsqlBatch();
            var units = Units(pending);
            foreach (var unit in units)
            {
                if (unit.Merged is { } merged)
                {
                    unit.Command = batch.BatchCommands.Count;
                    batch.BatchCommands.Add(merged.Build(unit.Writes.ConvertAll(static w => w.MergeValues)));
                    continue;
                }

                var write = unit.Writes[0];
                write.FirstCommand = batch.BatchCommands.Count;
                foreach (var command in write.Commands)
                {
                    batch.BatchCommands.Add(attempt == 0 ? command : Copy(command));
                }
            }

            try
            {
                await using (var connection = await dataSource.OpenConnectionAsync())
                {
                    batch.Connection = connection;
                    try
                    {
                        await ExecuteAsync(batch, units);
                    }
                    catch (PostgresException)
                    {
                        ForgetPrepared(connection);
                        throw;
                    }
                }

                foreach (var write in pending)
                {
                    write.Succeed();
                }

                pending = [];
            }
            catch (PostgresException exception) when (IsTransient(exception) && transientRetries < MaxTransientRetries)
            {
                transientRetries++;
            }
            catch (PostgresException exception) when (FailedUnit(batch, units, exception) is { } unit)
            {
                // A statement that several writes share failed: they run alone after the others, so that the error goes to the
                // write it belongs to.
                if (unit.Writes.Count == 1)
                {
                    unit.Writes[0].Fail(AsFailure(unit.Writes[0], exception));
                }
                else
                {
                    (alone ??= []).AddRange(unit.Writes);
                }

                pending = [.. pending.Where(w => !unit.Writes.Contains(w))];
            }
            catch (PostgresException exception) when (FailedWrite(batch, pending, exception) is { } failed)
            {
                failed.Fail(AsFailure(failed, exception));
                pending = [.. pending.Where(w => w != failed)];
            }
            catch (PostgresException) when (pending.Count > 1)
            {
                // The error names no statement (a value refused while binding): each write runs alone to find out whose it is.
                isolate = true;
            }
            catch (Exception exception)
            {
                foreach (var write in alone is null ? pending : [.. pending, .. alone])
                {
                    write.Fail(AsFailure(write, exception));
                }

                return;
            }
            finally
            {
                // The commands go into the next batch: they must not stay in this one's collection.
                batch.BatchCommands.Clear();
            }
        }

        foreach (var write in isolate ? [.. pending, .. alone ?? []] : alone ?? [])
        {
            await RunBatchAsync([write], afterFailure: true);
        }
    }

    /// <summary>
    /// Drops the statements prepared on a connection whose batch failed. After a batch that failed while it prepared a
    /// statement it ran more than once, Npgsql (10.0.3) can take the statement for prepared with a result it does not have,
    /// and every later batch on that connection that runs it then fails on a row it did not expect. Statements are prepared
    /// again on their next uses.
    /// </summary>
    private static void ForgetPrepared(NpgsqlConnection connection)
    {
        try
        {
            connection.UnprepareAll();
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
        {
            // A connection that broke with its batch is not used again: the pool drops it.
        }
    }

    /// <summary>
    /// A statement as it was before any batch ran it. One that ran in a batch that failed keeps its preparation there, which
    /// <see cref="ForgetPrepared"/> dropped: run again as it is, it would name a prepared statement the server no longer has.
    /// </summary>
    private static NpgsqlBatchCommand Copy(NpgsqlBatchCommand command)
    {
        var copy = new NpgsqlBatchCommand(command.CommandText);
        foreach (NpgsqlParameter parameter in command.Parameters)
        {
            copy.Parameters.Add(parameter.Clone());
        }

        return copy;
    }

    private static Exception AsFailure(GroupWrite write, Exception exception) =>
        exception is PostgresException refused && PostgresTaskServiceStore.AsInputError(write.Entity, refused) is { } inputError
            ? inputError
            : exception;

    /// <summary>
    /// The statements of <paramref name="writes"/> in batch order: each write's own, in turn, and one for each merged statement
    /// in the place of the first of its writes, with the rows of every write cleared.
    /// </summary>
    private static List<BatchUnit> Units(List<GroupWrite> writes)
    {
        var units = new List<BatchUnit>(writes.Count);
        Dictionary<IMergedStatement, BatchUnit>? merged = null;
        foreach (var write in writes)
        {
            write.Rows.Clear();
            if (write.Merged is not { } statement)
            {
                units.Add(new BatchUnit(null, [write]));
                continue;
            }

            merged ??= new Dictionary<IMergedStatement, BatchUnit>(ReferenceEqualityComparer.Instance);
            if (!merged.TryGetValue(statement, out var unit))
            {
                unit = new BatchUnit(statement, []);
                merged.Add(statement, unit);
                units.Add(unit);
            }

            unit.Writes.Add(write);
        }

        return units;
    }

    /// <summary>Runs the batch and reads the rows of each unit's result sets, in the order of the units.</summary>
    private static async Task ExecuteAsync(NpgsqlBatch batch, List<BatchUnit> units)
    {
        await using var reader = await batch.ExecuteReaderAsync();
        var first = true;
        foreach (var unit in units)
        {
            if (unit.Merged is not null)
            {
                if (!first && !await reader.NextResultAsync())
                {
                    throw new InvalidOperationException($"A merged {unit.Writes[0].Entity} write returned no result set.");
                }

                first = false;
                await ReadMergedAsync(reader, unit.Writes);
                continue;
            }

            var write = unit.Writes[0];
            for (var set = 0; set < write.ResultSets; set++)
            {
                if (!first && !await reader.NextResultAsync())
                {
                    throw new InvalidOperationException($"A {write.Entity} write announced {write.ResultSets} result set(s) and returned fewer.");
                }

                first = false;
                await write.ReadResultSetAsync(reader);
            }
        }

        // Reading to the end takes the batch to its commit; the writes' callers resume only after it.
        while (await reader.NextResultAsync())
        {
        }
    }

    /// <summary>Hands each row of a merged statement to the write whose position it starts with.</summary>
    private static async Task ReadMergedAsync(NpgsqlDataReader reader, List<GroupWrite> writes)
    {
        var rows = new List<object?>[writes.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = [];
            writes[i].Rows.Add(rows[i]);
        }

        while (await reader.ReadAsync())
        {
            var position = reader.GetInt32(0);
            rows[position].Add(writes[position].ReadRow(reader, 0));
        }
    }

    /// <summary>One write's statements in a batch, or the one statement of the writes that share <see cref="Merged"/>.</summary>
    private sealed class BatchUnit(IMergedStatement? merged, List<GroupWrite> writes)
    {
        public IMergedStatement? Merged { get; } = merged;

        public List<GroupWrite> Writes { get; } = writes;

        /// <summary>The position of the merged statement in the batch being run.</summary>
        public int Command { get; set; } = -1;
    }

    /// <summary>The position in the batch of the statement the error names, or -1 when it names none.</summary>
    private static int FailedCommand(NpgsqlBatch batch, PostgresException exception) =>
        exception.BatchCommand is { } command ? batch.BatchCommands.IndexOf(command) : -1;

    /// <summary>The writes of the merged statement the error names, if it names one.</summary>
    private static BatchUnit? FailedUnit(NpgsqlBatch batch, List<BatchUnit> units, PostgresException exception)
    {
        var index = FailedCommand(batch, exception);
        return index < 0 ? null : units.Find(u => u.Merged is not null && u.Command == index);
    }

    private static GroupWrite? FailedWrite(NpgsqlBatch batch, List<GroupWrite> writes, PostgresException exception)
    {
        var index = FailedCommand(batch, exception);
        return index < 0 ? null : writes.FirstOrDefault(w => w.Holds(index));
    }

    private static bool IsTransient(PostgresException exception) =>
        exception.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure;
}
