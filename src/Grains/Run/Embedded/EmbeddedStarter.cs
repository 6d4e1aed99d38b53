using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Commands;
using TaskService.Errors;
using TaskService.Serialization;
using TaskService.Storage;

namespace TaskService.Workflows.Embedded;

/// <summary>
/// Starts embedded workflow instances without their grains: moves the first tokens, runs the commands due at once, and writes
/// the instance's row once, only if there is none. Most instances of a routed event end in that first turn (create-tasks, then
/// the end event), so their grains never activate: no activation, directory entry or deactivation per event. An instance that
/// waits (user tasks, an external task with no command) is read by its grain when a call first needs it; one with a command
/// still due (a retry after a failure, a command that ran past the start's wait) is handed to its grain at once.
/// </summary>
/// <remarks>
/// Runs in its caller's context (an event router, a command, an instance's grain). It keeps nothing between starts.
/// </remarks>
public sealed partial class EmbeddedStarter(
    WorkflowDefinitions definitions,
    ITaskServiceStore store,
    CommandRegistry commands,
    IOptions<WorkflowEngineOptions> options,
    IGrainFactory grains,
    TimeProvider time,
    ILogger<WorkflowInstanceGrain> logger)
{
    /// <summary>
    /// How long past its timeout a command still running when its start was written may take to report back, before the
    /// sweeper of overdue instances takes it as lost (its silo stopped) and its grain runs it again.
    /// </summary>
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Starts instance <paramref name="instanceId"/>: a problem when the request is refused; else the instance as this start left
    /// it and whether this start wrote it. When it did not, the instance was started before (the event is routed again, or the
    /// caller retried) and what is written stands: the commands this start ran made nothing twice, since the instance's
    /// external tasks get the same ids each time.
    /// </summary>
    internal async Task<EmbeddedStart> StartAsync(string instanceId, WorkflowStartRequest request)
    {
        using var activity = TaskServiceActivities.StartWorkflowInstance(instanceId, request.WorkflowId, request.Version);
        var instance = new EmbeddedInstance(instanceId, commands, options.Value, time, logger)
        {
            Process = await definitions.GetProcessAsync(request.WorkflowId, request.Version),
        };
        if (instance.Begin(request, time.GetUtcNow()) is { } problem)
        {
            return new EmbeddedStart(problem, null, false);
        }

        // The commands due at once run before the first write, so the write that makes the start durable holds their results:
        // one write instead of two. A crash before it leaves the event unrouted; routing it again starts the instance anew under
        // the same id, and its commands find what they made the first time.
        (await RunCommandsAtStartAsync(instance))?.HandOver(time.GetUtcNow() + options.Value.CommandTimeout + LeaseMargin);
        instance.PrepareWrite();
        var state = JsonSerializer.Serialize(instance.State, ContractJson.Options);
        if (!await store.TryCreateWorkflowInstanceAsync(instance.Summary(), state, instance.NextDue()))
        {
            return new EmbeddedStart(null, instance, false);
        }

        WorkflowInstruments.InstancesStarted.Add(1);
        LogStarted(instanceId, instance.Process.Id, instance.State.Version);
        return new EmbeddedStart(null, instance, true);
    }

    /// <summary>
    /// Runs a new instance's commands that are due at once (up to <see cref="WorkflowEngineOptions.CommandsRunAtStart"/>, without
    /// writing between them) and waits for them at most <see cref="WorkflowEngineOptions.StartWaitForCommands"/>. A failure is
    /// applied as the grain applies it: a retry due after the backoff, an incident once retries are exhausted. Null when they all
    /// finished; else the run still going, which the caller hands over before writing: a slow command, or one that calls back
    /// into whoever is starting this instance, holds the start no longer than the wait.
    /// </summary>
    private async Task<StartCommands?> RunCommandsAtStartAsync(EmbeddedInstance instance)
    {
        var max = options.Value.CommandsRunAtStart;
        if (max == 0 || instance.DueCommand() is null)
        {
            return null;
        }

        var run = new StartCommands(instance, grains, logger);
        var running = run.RunAsync(max, System.Diagnostics.Activity.Current?.Id);

        // One timer bounds the wait (WaitAsync's own); the commands themselves never throw (failures are applied as values).
        await running.WaitAsync(options.Value.StartWaitForCommands, time)
            .ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
        if (running.IsCompleted)
        {
            await running;
            return null;
        }

        LogStartWrittenBeforeCommands(instance.InstanceId, options.Value.StartWaitForCommands);
        return run;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workflow instance {InstanceId} of process {ProcessId} version {Version} started")]
    private partial void LogStarted(string instanceId, string processId, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow instance {InstanceId}: the commands due at its start ran longer than {Wait}; the start is written without them, and the instance's grain takes what they do when they finish")]
    private partial void LogStartWrittenBeforeCommands(string instanceId, TimeSpan wait);

    /// <summary>
    /// The commands a start runs before its write, one after another. Until the start hands them over, each outcome is applied
    /// to the instance in memory; after, the command still running is leased in the written state until its timeout (plus a
    /// margin), its outcome goes to the instance's grain, and nothing more runs here.
    /// </summary>
    private sealed partial class StartCommands(EmbeddedInstance instance, IGrainFactory grains, ILogger logger)
    {
        private readonly Lock _gate = new();
        private bool _handedOver;
        private ExternalTaskState? _running;

        public async Task RunAsync(int max, string? traceParent)
        {
            // Each command once: one that fails is written with its retry, which the instance's grain runs after the backoff.
            var ran = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                ExternalTaskState task;
                lock (_gate)
                {
                    if (_handedOver || ran.Count >= max || instance.DueCommand(ran) is not { } due)
                    {
                        return;
                    }

                    task = _running = due;
                }

                ran.Add(task.Id);
                var outcome = await instance.ExecuteCommandAsync(task, traceParent, CancellationToken.None);
                lock (_gate)
                {
                    if (!_handedOver)
                    {
                        _running = null;
                        instance.Apply(task, outcome);
                        continue;
                    }
                }

                await ForwardAsync(task, outcome);
                return;
            }
        }

        /// <summary>Stops applying to the instance in memory, which is about to be written; leases the command still running.</summary>
        public void HandOver(DateTimeOffset leasedUntil)
        {
            lock (_gate)
            {
                _handedOver = true;
                if (_running is { } task)
                {
                    task.NextAttemptAt = leasedUntil;
                }
            }
        }

        private async Task ForwardAsync(ExternalTaskState task, CommandOutcome outcome)
        {
            try
            {
                await grains.GetGrain<IEmbeddedInstanceHandOver>(instance.InstanceId).ApplyCommandOutcomeAsync(new HandedOverOutcome
                {
                    ExternalTaskId = task.Id,
                    Variables = outcome.Result is null ? null : new Dictionary<string, JsonElement>(outcome.Result, StringComparer.Ordinal),
                    Failure = outcome.Failure,
                });
            }
            catch (Exception exception)
            {
                // The lease on the task runs out and the sweeper of overdue instances has the grain run the command again.
                LogForwardFailed(instance.InstanceId, task.Topic, task.Id, exception);
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow instance {InstanceId}: what command {Topic} did for external task {ExternalTaskId} after the start was written could not be handed to the instance; the command runs again once its lease ends")]
        private partial void LogForwardFailed(string instanceId, string topic, string externalTaskId, Exception exception);
    }
}

/// <summary>A start's result: why it was refused, or the instance as the start left it and whether the start wrote it.</summary>
internal readonly record struct EmbeddedStart(Problem? Problem, EmbeddedInstance? Instance, bool Created);

/// <summary>What a command run by a start did, when it finished after the start was written: its grain applies it.</summary>
[GenerateSerializer, Alias("TaskService.Embedded.HandedOverOutcome")]
public sealed class HandedOverOutcome
{
    [Id(0)] public required string ExternalTaskId { get; init; }

    [Id(1)] public Dictionary<string, JsonElement>? Variables { get; init; }

    [Id(2)] public Exception? Failure { get; init; }
}

/// <summary>What the silo's own starts hand to an embedded instance's grain; not for other callers.</summary>
[Alias("TaskService.IEmbeddedInstanceHandOver")]
internal interface IEmbeddedInstanceHandOver : IGrainWithStringKey
{
    /// <summary>Reads the instance's row and schedules its commands that are due.</summary>
    [Alias("WakeAsync")]
    Task WakeAsync();

    /// <summary>Applies what a command run by the start did, if its external task is still open, and writes the instance.</summary>
    [Alias("ApplyCommandOutcomeAsync")]
    Task ApplyCommandOutcomeAsync(HandedOverOutcome outcome);
}
