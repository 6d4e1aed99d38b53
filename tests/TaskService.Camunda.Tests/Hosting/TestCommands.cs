using System.Collections.Concurrent;
using System.Text.Json;
using TaskService.Commands;
using TaskService.Serialization;

namespace TaskService.Camunda.Tests.Hosting;

/// <summary>Commands the Camunda tests register in the silo, each on a topic of its own, with what they observed.</summary>
public sealed class TestCommands
{
    public const string Concurrency = "probe-concurrency";
    public const string Failing = "always-fails";
    public const string Counting = "count-runs";
    public const string Held = "held-until-released";
    public const string Overflowing = "returns-a-number-beyond-double";

    public ConcurrencyProbe Probe { get; } = new();

    public ScriptedFailure Failure { get; } = new();

    public RunCounter Counter { get; } = new();

    public HeldRun Hold { get; } = new();

    public BeyondDouble Overflow { get; } = new();

    public IEnumerable<IExternalTaskCommand> All => [Probe, Failure, Counter, Hold, Overflow];

    /// <summary>Holds every run until <see cref="Release"/> (or 20 s), and records how many ran at the same time.</summary>
    public sealed class ConcurrencyProbe : IExternalTaskCommand
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _maxInFlight;

        public string Topic => Concurrency;

        public int InFlight => Volatile.Read(ref _inFlight);

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public void Release() => _gate.TrySetResult();

        public async Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _inFlight);
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }

            try
            {
                await _gate.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }

            return new Dictionary<string, JsonElement> { ["probed"] = JsonElementFactory.From(true) };
        }
    }

    /// <summary>Always fails, with a message naming the run.</summary>
    public sealed class ScriptedFailure : IExternalTaskCommand
    {
        private int _runs;

        public string Topic => Failing;

        public int Runs => Volatile.Read(ref _runs);

        public Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"Scripted failure {Interlocked.Increment(ref _runs)} of external task {context.ExternalTaskId}");
    }

    /// <summary>Counts its runs per external task; each run takes a while, longer than half a lock, so locks are extended.</summary>
    public sealed class RunCounter : IExternalTaskCommand
    {
        public ConcurrentDictionary<string, int> Runs { get; } = new();

        public ConcurrentQueue<IReadOnlyDictionary<string, JsonElement>> SeenVariables { get; } = new();

        public TimeSpan Duration { get; set; } = TimeSpan.FromMilliseconds(1500);

        public string Topic => Counting;

        public async Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken)
        {
            var run = Runs.AddOrUpdate(context.ExternalTaskId, 1, (_, n) => n + 1);
            SeenVariables.Enqueue(context.Variables);
            await Task.Delay(Duration, cancellationToken);
            return new Dictionary<string, JsonElement> { ["run"] = JsonElementFactory.From(run), ["result"] = JsonElementFactory.From(new { ok = true, items = new[] { 1, 2 } }) };
        }
    }

    /// <summary>Each run waits until its process instance is released (or 20 s); records the external task each instance ran for.</summary>
    public sealed class HeldRun : IExternalTaskCommand
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();

        public string Topic => Held;

        /// <summary>The external task id each held run is for, by process instance id.</summary>
        public ConcurrentDictionary<string, string> Running { get; } = new();

        public ConcurrentDictionary<string, int> Runs { get; } = new();

        public void Release(string processInstanceId) => Gate(processInstanceId).TrySetResult();

        public async Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken)
        {
            Runs.AddOrUpdate(context.ProcessInstanceId, 1, (_, n) => n + 1);
            Running[context.ProcessInstanceId] = context.ExternalTaskId;
            await Gate(context.ProcessInstanceId).Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            return new Dictionary<string, JsonElement> { ["released"] = JsonElementFactory.From(true) };
        }

        private TaskCompletionSource Gate(string processInstanceId) =>
            _gates.GetOrAdd(processInstanceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>Succeeds, returning a number that is valid JSON but beyond a Java Double, so no Camunda variable type holds it.</summary>
    public sealed class BeyondDouble : IExternalTaskCommand
    {
        public string Topic => Overflowing;

        public Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, JsonElement>>(new Dictionary<string, JsonElement> { ["huge"] = JsonElementFactory.Parse("1e400") });
    }
}
