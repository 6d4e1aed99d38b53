using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Commands;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Workflows.Bpmn;

namespace TaskService.Workflows.Embedded;

/// <summary>
/// Runs one instance of the embedded engine: moves tokens through the process graph until they wait at user tasks or external
/// tasks, runs the command registered for each external task's topic (retrying with backoff, then raising an incident), and
/// writes its state before any call returns.
/// </summary>
public sealed partial class WorkflowInstanceGrain(
    WorkflowDefinitions definitions,
    ITaskServiceStore store,
    CommandRegistry commands,
    IOptions<WorkflowEngineOptions> options,
    TimeProvider time,
    ILogger<WorkflowInstanceGrain> logger) : Grain, IWorkflowInstanceGrain, IRemindable
{
    /// <summary>
    /// The reminder earlier versions kept while commands waited. Instances no longer register it (the due time saved with the
    /// state is swept instead); one left from before is taken as a wake-up and removed.
    /// </summary>
    private const string DispatchReminder = "dispatch";

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private IGrainTimer? _dispatchTimer;

    /// <summary>The trace of the call that last made work due here (a start, a completed user task): commands continue it.</summary>
    private string? _traceParent;
    private bool _dispatching;

    /// <summary>The instance's token movement, with its state.</summary>
    private EmbeddedInstance Machine => _machine ??= new EmbeddedInstance(InstanceId, time, logger);

    private EmbeddedInstance? _machine;

    /// <summary>The instance's state; its row in the store is this state, written whole on every change.</summary>
    private WorkflowInstanceState S
    {
        get => Machine.State;
        set => Machine.State = value;
    }

    /// <summary>The grain's key, decoded once (each decoding allocates a new string).</summary>
    private string InstanceId => _instanceId ??= this.GetPrimaryKeyString();

    private string? _instanceId;

    /// <summary>
    /// Whether this activation read its row yet. A start reads nothing: its first write creates the row only if there is none
    /// (see <see cref="StartAsync"/>).
    /// </summary>
    private bool _loaded;

    /// <summary>
    /// Reads the instance's row before the first call of this activation that needs it: every call but a start begins with this.
    /// Called from each method, not from a grain call filter, since Orleans makes a filter context for every call of a grain
    /// that has one, and a start is most calls here.
    /// </summary>
    private Task EnsureLoadedAsync() => _loaded ? Task.CompletedTask : LoadAsync();

    /// <summary>Reads the saved state, if any, and schedules the commands it has due.</summary>
    private async Task LoadAsync()
    {
        if (await store.LoadWorkflowInstanceStateAsync(InstanceId) is { } saved)
        {
            S = JsonSerializer.Deserialize<WorkflowInstanceState>(saved, ContractJson.Options)
                ?? throw new InvalidOperationException($"The saved state of workflow instance '{InstanceId}' is empty.");
        }

        _loaded = true;
        if (S.Started)
        {
            Machine.Process = await definitions.GetProcessAsync(S.WorkflowId!, S.Version);
            ScheduleDispatch();
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await EnsureLoadedAsync();
        ScheduleDispatch();
        try
        {
            if (await this.GetReminder(reminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogReminderFailed(InstanceId, exception);
        }
    }

    public async Task<Outcome<WorkflowInstanceDetails>> StartAsync(WorkflowStartRequest request) =>
        await StartCoreAsync(request) is { } problem ? problem : Details();

    public async Task<Outcome<IReadOnlyList<InstanceUserTask>>> StartForUserTasksAsync(WorkflowStartRequest request) =>
        await StartCoreAsync(request) is { } problem ? problem : UserTaskList();

    /// <summary>Starts the instance, or finds it started; null when it is, else why it cannot be.</summary>
    private async Task<Problem?> StartCoreAsync(WorkflowStartRequest request)
    {
        if (S.Started)
        {
            // A repeated start (its caller retries after a failure) also makes sure the instance's commands are on their way.
            ScheduleDispatch();
            return null;
        }

        if (request.Variables.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            return Problem.Invalid("variables", "The variables of a new instance must be a JSON object.");
        }

        Machine.Process = await definitions.GetProcessAsync(request.WorkflowId, request.Version);
        var now = time.GetUtcNow();
        S.WorkflowId = request.WorkflowId;
        S.Version = request.Version;
        S.ProcessId = Machine.Process.Id;
        S.Status = WorkflowInstanceStatus.Active;
        S.CreatedOn = now;
        if (request.Variables.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in request.Variables.EnumerateObject())
            {
                S.Variables[property.Name] = property.Value.Clone();
            }
        }

        var token = Machine.NewToken(Machine.Process.Start.Id);
        Machine.Leave(token, Machine.Process.Start);
        try
        {
            // The commands due at once run before the first write, so the write that makes the start durable holds their
            // results: one write instead of two. A crash before it leaves the event unrouted; routing it again starts this
            // instance anew under the same id, and its external tasks get the same ids (instance and sequence), so the commands
            // find what they made the first time (create-tasks: the same task ids and task-created id) and make nothing twice.
            await RunCommandsAtStartAsync();
            if (!await PersistAsync(create: true))
            {
                // The row is there: this start ran before (the event is routed again, or its caller retried) and wrote it, which
                // this activation did not read. What is written stands; the commands just run made nothing twice (see above).
                await LoadAsync();
                return null;
            }
        }
        catch
        {
            // Not written: the next call must not find a started instance that exists in this activation's memory only.
            DeactivateOnIdle();
            throw;
        }

        WorkflowInstruments.InstancesStarted.Add(1);
        LogStarted(InstanceId, Machine.Process.Id, S.Version);
        return null;
    }

    public async Task<WorkflowInstanceDetails?> GetAsync()
    {
        await EnsureLoadedAsync();
        return S.Started ? Details() : null;
    }

    public async Task<Outcome<WorkflowInstanceDetails>> CompleteUserTaskAsync(string userTaskId, JsonElement? variables)
    {
        await EnsureLoadedAsync();
        if (Machine.Inactive() is { } inactive)
        {
            return inactive;
        }

        var userTask = S.UserTasks.FirstOrDefault(u => u.Id == userTaskId);
        if (userTask is null)
        {
            return Problem.NotFound("user task", userTaskId);
        }

        if (userTask.Completed)
        {
            return Problem.Conflict("userTaskId", $"User task '{userTaskId}' of instance '{InstanceId}' is already completed.");
        }

        if (Machine.MergeVariables(variables, "variables") is { } invalid)
        {
            return invalid;
        }

        userTask.Completed = true;
        var token = S.Tokens.Single(t => t.Id == userTask.TokenId);
        Machine.Leave(token, Machine.Process.Elements[userTask.ElementId]);
        await PersistAsync();
        return Details();
    }

    public async Task<Outcome<WorkflowInstanceDetails>> CompleteExternalTaskAsync(string externalTaskId, JsonElement? variables)
    {
        await EnsureLoadedAsync();
        if (Machine.Inactive() is { } inactive)
        {
            return inactive;
        }

        var task = S.ExternalTasks.FirstOrDefault(t => t.Id == externalTaskId);
        if (task is null)
        {
            return Problem.NotFound("external task", externalTaskId);
        }

        if (Machine.MergeVariables(variables, "variables") is { } invalid)
        {
            return invalid;
        }

        Machine.FinishExternalTask(task);
        await PersistAsync();
        return Details();
    }

    public async Task<Outcome<WorkflowInstanceDetails>> RetryIncidentAsync(string incidentId)
    {
        await EnsureLoadedAsync();
        if (Machine.Inactive() is { } inactive)
        {
            return inactive;
        }

        var incident = S.Incidents.FirstOrDefault(i => i.Id == incidentId);
        if (incident is null)
        {
            return Problem.NotFound("incident", incidentId);
        }

        S.Incidents.Remove(incident);
        if (incident.ExternalTaskId is { } externalTaskId && S.ExternalTasks.FirstOrDefault(t => t.Id == externalTaskId) is { } task)
        {
            task.Failures = 0;
            task.NextAttemptAt = time.GetUtcNow();
        }
        else if (S.Tokens.FirstOrDefault(t => t.ElementId == incident.ElementId && Machine.Process.Elements[t.ElementId] is ExclusiveGateway) is { } stuck)
        {
            S.Tokens.Remove(stuck);
            Machine.Arrive(stuck, Machine.Process.Elements[incident.ElementId]);
        }

        LogIncidentRetried(InstanceId, incident.ElementId, incidentId);
        await PersistAsync();
        return Details();
    }

    public async Task CancelAsync(string reason)
    {
        await EnsureLoadedAsync();
        if (!S.Started || S.Status != WorkflowInstanceStatus.Active)
        {
            return;
        }

        S.Status = WorkflowInstanceStatus.Canceled;
        S.EndedOn = time.GetUtcNow();
        S.Tokens.Clear();
        S.ExternalTasks.Clear();
        S.JoinArrivals.Clear();
        LogCanceled(InstanceId, reason);
        await PersistAsync();
    }

    /// <summary>
    /// Writes the state (one write at a time), its queryable row and when its next command is due, then schedules the commands
    /// that are due. The due time is what brings the instance back if this activation is lost: every silo's sweeper wakes
    /// instances whose commands are overdue.
    /// </summary>
    /// <param name="create">Write only if the store has no row of this instance (a start): false when it had one.</param>
    private async Task<bool> PersistAsync(bool create = false)
    {
        Machine.CompleteIfDone();
        S.ModifiedOn = time.GetUtcNow();
        await _writeGate.WaitAsync();
        try
        {
            var state = JsonSerializer.Serialize(S, ContractJson.Options);
            if (create)
            {
                if (!await store.TryCreateWorkflowInstanceAsync(Summary(), state, NextDue()))
                {
                    return false;
                }

                _loaded = true;
            }
            else
            {
                await store.SaveWorkflowInstanceAsync(Summary(), state, NextDue());
            }
        }
        finally
        {
            _writeGate.Release();
        }

        if (S.Status != WorkflowInstanceStatus.Active)
        {
            // Ended: its row holds all there is to know, and nothing more will happen here. Leaving memory at once keeps a busy
            // silo's activations (and the collector's rounds over them) to the instances that still wait for something.
            DeactivateOnIdle();
            return true;
        }

        ScheduleDispatch();
        return true;
    }

    /// <summary>When the next command of this instance is due, or null when it has none to run.</summary>
    private DateTimeOffset? NextDue()
    {
        if (S.Status != WorkflowInstanceStatus.Active)
        {
            return null;
        }

        DateTimeOffset? next = null;
        foreach (var task in S.ExternalTasks)
        {
            if (task.NextAttemptAt is { } due && (next is null || due < next) && commands.TryGet(task.Topic, out _))
            {
                next = due;
            }
        }

        return next;
    }

    private void ScheduleDispatch()
    {
        if (S.Status != WorkflowInstanceStatus.Active || _dispatching)
        {
            return;
        }

        if (NextDue() is not { } next)
        {
            return;
        }

        var due = next - time.GetUtcNow();
        _traceParent = System.Diagnostics.Activity.Current?.Id ?? _traceParent;
        _dispatchTimer?.Dispose();
        _dispatchTimer = this.RegisterGrainTimer(
            DispatchDueAsync,
            new GrainTimerCreationOptions(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan)
            {
                // Interleaving lets calls such as CancelAsync in while a long command runs, so a command that calls back into
                // whoever is calling this instance cannot deadlock. State changes re-check what they act on after every await.
                Interleave = true,
                KeepAlive = true,
            });
    }

    /// <summary>Runs the commands of the external tasks that are due, one after another, writing after each.</summary>
    private async Task DispatchDueAsync(CancellationToken cancellationToken)
    {
        if (_dispatching)
        {
            return;
        }

        _dispatching = true;
        try
        {
            while (DueCommand() is { } task)
            {
                var outcome = await ExecuteCommandAsync(task, cancellationToken);
                if (Apply(task, outcome))
                {
                    await PersistAsync();
                }
            }
        }
        finally
        {
            _dispatching = false;
        }

        ScheduleDispatch();
    }

    /// <summary>The first open external task whose command is registered and due now; null when none is (or the instance is not active).</summary>
    /// <param name="ran">External tasks that ran already and are not to run again now (a retry waits for its backoff).</param>
    private ExternalTaskState? DueCommand(HashSet<string>? ran = null)
    {
        if (S.Status != WorkflowInstanceStatus.Active)
        {
            return null;
        }

        var now = time.GetUtcNow();
        foreach (var task in S.ExternalTasks)
        {
            if (task.NextAttemptAt <= now && ran?.Contains(task.Id) != true && commands.TryGet(task.Topic, out _))
            {
                return task;
            }
        }

        return null;
    }

    /// <summary>
    /// Runs a new instance's commands that are due at once (up to <see cref="WorkflowEngineOptions.CommandsRunAtStart"/>, without
    /// writing between them) and waits for them at most <see cref="WorkflowEngineOptions.StartWaitForCommands"/>. A failure is
    /// applied as in <see cref="DispatchDueAsync"/>: a retry due after the backoff, an incident once retries are exhausted.
    /// Commands still running when the wait ends finish on their own and write the instance again: a slow command, or one
    /// that calls back into whoever is starting this instance, holds the start no longer than the wait.
    /// </summary>
    private async Task RunCommandsAtStartAsync()
    {
        var max = options.Value.CommandsRunAtStart;
        if (max == 0 || DueCommand() is null)
        {
            return;
        }

        _traceParent = System.Diagnostics.Activity.Current?.Id ?? _traceParent;
        _dispatching = true;
        var running = RunDueCommandsAsync(max);

        // One timer bounds the wait (WaitAsync's own); the commands themselves never throw (failures are applied as values).
        await running.WaitAsync(options.Value.StartWaitForCommands, time)
            .ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
        if (!running.IsCompleted)
        {
            LogStartWrittenBeforeCommands(InstanceId, options.Value.StartWaitForCommands);
            _ = FinishAfterStartAsync(running);
            return;
        }

        _dispatching = false;
        await running;
    }

    private async Task RunDueCommandsAsync(int max)
    {
        // Each command once: one that fails is written with its retry, which the dispatch timer runs after the backoff, however
        // long the first attempt took.
        var ran = new HashSet<string>(StringComparer.Ordinal);
        while (ran.Count < max && DueCommand(ran) is { } task)
        {
            ran.Add(task.Id);
            Apply(task, await ExecuteCommandAsync(task, CancellationToken.None));
        }
    }

    /// <summary>Writes what the commands of a start did once they finish, after the start was written without them.</summary>
    private async Task FinishAfterStartAsync(Task running)
    {
        try
        {
            await running;
            _dispatching = false;
            await PersistAsync();
        }
        catch (Exception exception)
        {
            // This activation went further than what is written (the start, with its commands due): it goes, and the next
            // wake-up (the sweeper of due instances) loads what is written and runs the commands again.
            LogFinishAfterStartFailed(InstanceId, exception);
            _dispatching = false;
            DeactivateOnIdle();
        }
    }

    /// <summary>Runs the command of <paramref name="task"/>; a failure (an exception, the timeout) is returned, not thrown.</summary>
    private async Task<(IReadOnlyDictionary<string, JsonElement>? Result, Exception? Failure)> ExecuteCommandAsync(ExternalTaskState task, CancellationToken cancellationToken)
    {
        using var activity = TaskServiceActivities.StartCommand(task.Topic, InstanceId, _traceParent);
        commands.TryGet(task.Topic, out var command);
        var context = new ExternalTaskContext(task.Id, task.Topic, InstanceId, new Dictionary<string, JsonElement>(S.Variables, StringComparer.Ordinal));
        IReadOnlyDictionary<string, JsonElement>? result = null;
        Exception? failure = null;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(options.Value.CommandTimeout);
            try
            {
                result = await command!.ExecuteAsync(context, timeout.Token);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        }

        Commands.CommandInstruments.Ran(task.Topic, failure is null);
        return (result, failure);
    }

    /// <summary>
    /// Applies what a command did to the state (not written yet): its variables and the next step, or a retry after the backoff,
    /// or an incident once retries are exhausted. False when there is nothing to apply.
    /// </summary>
    private bool Apply(ExternalTaskState task, (IReadOnlyDictionary<string, JsonElement>? Result, Exception? Failure) outcome)
    {
        // The instance may have been canceled, or the task completed from outside, while the command ran.
        if (S.Status != WorkflowInstanceStatus.Active || !S.ExternalTasks.Contains(task))
        {
            return false;
        }

        if (outcome.Failure is not { } failure)
        {
            foreach (var (name, value) in outcome.Result ?? new Dictionary<string, JsonElement>())
            {
                S.Variables[name] = value;
            }

            LogCommandCompleted(InstanceId, task.Topic, task.Id, task.Failures + 1);
            Machine.FinishExternalTask(task);
            return true;
        }

        task.Failures++;
        task.LastError = failure.Message;
        var retries = options.Value.CommandRetries;
        if (task.Failures > retries)
        {
            task.NextAttemptAt = null;
            // The incident is served by the API: it carries the messages only; the log keeps the stack trace.
            LogCommandGaveUp(InstanceId, task.Topic, task.Id, task.Failures, failure);
            Machine.RaiseIncident(task.ElementId, task.Id,
                $"Command '{task.Topic}' failed {task.Failures} time(s); retries are exhausted: {failure.Message}",
                Common.PublicErrorText.Describe(failure));
        }
        else
        {
            var delay = RetryDelay(task.Failures);
            task.NextAttemptAt = time.GetUtcNow() + delay;
            LogCommandFailed(InstanceId, task.Topic, task.Id, task.Failures, retries, delay, failure);
        }

        return true;
    }

    private TimeSpan RetryDelay(int failures) => new Backoff(options.Value.RetryBackoff, options.Value.MaxRetryBackoff).Delay(failures, 0);

    private WorkflowInstanceSummary Summary() => new()
    {
        Id = InstanceId,
        WorkflowId = S.WorkflowId!,
        ProcessId = S.ProcessId!,
        Version = S.Version,
        Status = S.Status,
        Incidents = S.Incidents.Count,
        CreatedOn = S.CreatedOn,
        ModifiedOn = S.ModifiedOn,
        EndedOn = S.EndedOn,
    };

    /// <summary>The instance's user tasks, completed ones included, as its details show them.</summary>
    private InstanceUserTask[] UserTaskList() =>
        [.. S.UserTasks.Select(u => new InstanceUserTask
        {
            Id = u.Id,
            ElementId = u.ElementId,
            Name = u.Name,
            Assignee = u.Assignee,
            CandidateGroups = u.CandidateGroups,
            DueDate = u.DueDate,
            Completed = u.Completed,
            CreatedOn = u.CreatedOn,
            Form = Machine.Process.Elements.TryGetValue(u.ElementId, out var element) ? (element as UserTaskElement)?.Form : null,
        })];

    private WorkflowInstanceDetails Details() => new()
    {
        Instance = Summary(),
        ActiveElements = S.Tokens
            .Select(t => Machine.Process.Elements[t.ElementId])
            .Concat(S.JoinArrivals.Keys.Select(id => Machine.Process.Elements[id]))
            .Select(e => new ActiveElement(e.Id, e.Kind, e.Name))
            .ToArray(),
        Variables = JsonElementFactory.From(S.Variables),
        UserTasks = UserTaskList(),
        ExternalTasks = S.ExternalTasks.Select(t => new InstanceExternalTask
        {
            Id = t.Id,
            ElementId = t.ElementId,
            Topic = t.Topic,
            Failures = t.Failures,
            NextAttemptAt = t.NextAttemptAt,
            LastError = t.LastError,
            HasCommand = commands.TryGet(t.Topic, out _),
        }).ToArray(),
        Incidents = [.. S.Incidents],
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workflow instance {InstanceId} of process {ProcessId} version {Version} started")]
    private partial void LogStarted(string instanceId, string processId, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow instance {InstanceId} could not remove a wake-up reminder left by an earlier version; it is tried again at its next tick")]
    private partial void LogReminderFailed(string instanceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow instance {InstanceId}: the commands due at its start ran longer than {Wait}; the start is written without them and they finish on their own")]
    private partial void LogStartWrittenBeforeCommands(string instanceId, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workflow instance {InstanceId}: writing the commands run at its start failed; the instance reloads its written state and runs them again")]
    private partial void LogFinishAfterStartFailed(string instanceId, Exception exception);


    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow instance {InstanceId} canceled: {Reason}")]
    private partial void LogCanceled(string instanceId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workflow instance {InstanceId}: command {Topic} completed external task {ExternalTaskId} on attempt {Attempt}")]
    private partial void LogCommandCompleted(string instanceId, string topic, string externalTaskId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow instance {InstanceId}: command {Topic} failed for external task {ExternalTaskId} ({Failures} of {Retries} retries); next attempt in {Delay}")]
    private partial void LogCommandFailed(string instanceId, string topic, string externalTaskId, int failures, int retries, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workflow instance {InstanceId}: command {Topic} of external task {ExternalTaskId} failed {Failures} time(s); retries are exhausted")]
    private partial void LogCommandGaveUp(string instanceId, string topic, string externalTaskId, int failures, Exception exception);


    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow instance {InstanceId}: incident {IncidentId} at {ElementId} retried")]
    private partial void LogIncidentRetried(string instanceId, string elementId, string incidentId);


}
