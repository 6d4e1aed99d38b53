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
/// Runs one instance of the embedded engine once it waits for something: user tasks, external tasks, a command's retry. Moves
/// tokens on as they complete, runs the command registered for each due external task's topic (retrying with backoff, then
/// raising an incident), and writes its state before any call returns. Starts are mostly run without it
/// (<see cref="EmbeddedStarter"/>): it reads the row they wrote when a call first needs it.
/// </summary>
public sealed partial class WorkflowInstanceGrain(
    WorkflowDefinitions definitions,
    ITaskServiceStore store,
    CommandRegistry commands,
    EmbeddedStarter starter,
    IOptions<WorkflowEngineOptions> options,
    TimeProvider time,
    ILogger<WorkflowInstanceGrain> logger) : Grain, IWorkflowInstanceGrain, IEmbeddedInstanceHandOver, IRemindable
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private IGrainTimer? _dispatchTimer;

    /// <summary>The trace of the call that last made work due here (a start, a completed user task): commands continue it.</summary>
    private string? _traceParent;
    private bool _dispatching;

    /// <summary>The instance in memory: its state and its token movement.</summary>
    private EmbeddedInstance Machine => _machine ??= new EmbeddedInstance(InstanceId, commands, options.Value, time, logger);

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

    /// <summary>Whether this activation read its row yet.</summary>
    private bool _loaded;

    /// <summary>
    /// Reads the instance's row before the first call of this activation that needs it, and again while it has none: a start
    /// run outside this grain (<see cref="EmbeddedStarter"/>) may write it at any time. Called from each method, not from a
    /// grain call filter, since Orleans makes a filter context for every call of a grain that has one.
    /// </summary>
    private Task EnsureLoadedAsync() => _loaded && S.Started ? Task.CompletedTask : LoadAsync();

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

    /// <summary>
    /// A reminder earlier versions kept while commands waited ("dispatch"). Instances no longer register one (the due time saved
    /// with the state is swept instead); one left from before is taken as a wake-up and removed.
    /// </summary>
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
        await StartCoreAsync(request) is { } problem ? problem : Machine.Details();

    public async Task<Outcome<IReadOnlyList<InstanceUserTask>>> StartForUserTasksAsync(WorkflowStartRequest request) =>
        await StartCoreAsync(request) is { } problem ? problem : Machine.UserTaskList();

    /// <summary>Starts the instance, or finds it started; null when it is, else why it cannot be.</summary>
    private async Task<Problem?> StartCoreAsync(WorkflowStartRequest request)
    {
        await EnsureLoadedAsync();
        if (S.Started)
        {
            // A repeated start (its caller retries after a failure) also makes sure the instance's commands are on their way.
            ScheduleDispatch();
            return null;
        }

        var start = await starter.StartAsync(InstanceId, request);
        if (start.Problem is { } problem)
        {
            return problem;
        }

        if (!start.Created)
        {
            // Written meanwhile by a start run elsewhere (the event routed again): what is written stands.
            await LoadAsync();
            return null;
        }

        _machine = start.Instance;
        _loaded = true;
        AfterWrite();
        return null;
    }

    public async Task WakeAsync()
    {
        await EnsureLoadedAsync();
        ScheduleDispatch();
    }

    public async Task ApplyCommandOutcomeAsync(HandedOverOutcome outcome)
    {
        await EnsureLoadedAsync();
        if (S.ExternalTasks.FirstOrDefault(t => t.Id == outcome.ExternalTaskId) is { } task
            && Machine.Apply(task, new CommandOutcome(outcome.Variables, outcome.Failure)))
        {
            await PersistAsync();
        }
    }

    public async Task<WorkflowInstanceDetails?> GetAsync()
    {
        await EnsureLoadedAsync();
        return S.Started ? Machine.Details() : null;
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
        return Machine.Details();
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
        return Machine.Details();
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
        return Machine.Details();
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
    private async Task PersistAsync()
    {
        Machine.PrepareWrite();
        await _writeGate.WaitAsync();
        try
        {
            var state = JsonSerializer.Serialize(S, ContractJson.Options);
            await store.SaveWorkflowInstanceAsync(Machine.Summary(), state, Machine.NextDue());
        }
        finally
        {
            _writeGate.Release();
        }

        AfterWrite();
    }

    /// <summary>After a write: an ended instance leaves memory, an active one schedules its due commands.</summary>
    private void AfterWrite()
    {
        if (S.Status != WorkflowInstanceStatus.Active)
        {
            // Ended: its row holds all there is to know, and nothing more will happen here. Leaving memory at once keeps a busy
            // silo's activations (and the collector's rounds over them) to the instances that still wait for something.
            DeactivateOnIdle();
            return;
        }

        ScheduleDispatch();
    }

    private void ScheduleDispatch()
    {
        if (S.Status != WorkflowInstanceStatus.Active || _dispatching)
        {
            return;
        }

        if (Machine.NextDue() is not { } next)
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
            while (Machine.DueCommand() is { } task)
            {
                var outcome = await Machine.ExecuteCommandAsync(task, _traceParent, cancellationToken);
                if (Machine.Apply(task, outcome))
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow instance {InstanceId} could not remove a wake-up reminder left by an earlier version; it is tried again at its next tick")]
    private partial void LogReminderFailed(string instanceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow instance {InstanceId} canceled: {Reason}")]
    private partial void LogCanceled(string instanceId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow instance {InstanceId}: incident {IncidentId} at {ElementId} retried")]
    private partial void LogIncidentRetried(string instanceId, string elementId, string incidentId);
}
