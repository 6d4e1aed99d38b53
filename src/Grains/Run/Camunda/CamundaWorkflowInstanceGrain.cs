using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Commands;
using TaskService.Errors;
using TaskService.Serialization;
using TaskService.Storage;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// A Camunda process instance as TaskService sees it, keyed by the engine's process instance id. Reads go to engine-rest (the
/// running instance, else history); what engine-rest cannot tell once the instance ended (its variables, the user tasks it
/// had) comes from the row this grain keeps. Also serves <c>POST /workflows/{id}/execute</c>: keyed by a fresh id, it starts an
/// instance with that id as business key and answers with the new instance.
/// </summary>
public sealed partial class CamundaWorkflowInstanceGrain(
    CamundaClient camunda,
    ITaskServiceStore store,
    CommandRegistry commands,
    IOptions<CamundaOptions> options,
    TimeProvider time,
    ILogger<CamundaWorkflowInstanceGrain> logger) : Grain, ICamundaInstanceGrain, IIncomingGrainCallFilter
{
    private CamundaInstanceState? _state;

    private string InstanceId => this.GetPrimaryKeyString();

    /// <summary>
    /// Every call of this grain reaches engine-rest: an engine that could not be reached, or did not answer in time, is an
    /// <see cref="TaskServiceErrorKind.Unavailable"/> error (a 503 with Retry-After over HTTP; the event router routes the event
    /// again later). The full failure stays in the log. An instance started without an answer keeps running.
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (CamundaException exception) when (exception.IsTransient)
        {
            LogEngineUnreachable(exception.Operation, context.ImplementationMethod.Name, exception);
            throw exception.ToUnavailable();
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (await store.LoadWorkflowInstanceStateAsync(InstanceId, cancellationToken) is { } saved)
        {
            _state = JsonSerializer.Deserialize<CamundaInstanceState>(saved, ContractJson.Options);
        }
    }

    public Task<Outcome<WorkflowInstanceDetails>> StartAsync(WorkflowStartRequest request) => StartVersionAsync(request);

    public async Task<Outcome<IReadOnlyList<InstanceUserTask>>> StartForUserTasksAsync(WorkflowStartRequest request) =>
        (await StartVersionAsync(request)).Select(details => (IReadOnlyList<InstanceUserTask>)details.UserTasks);

    public async Task<Outcome<WorkflowInstanceDetails>> StartVersionAsync(WorkflowStartRequest request)
    {
        if (await store.LoadWorkflowAsync(request.WorkflowId) is not { } aggregate)
        {
            return Problem.NotFound("workflow", request.WorkflowId);
        }

        if (aggregate.Versions.FirstOrDefault(v => v.Version == request.Version) is not { } version)
        {
            return Problem.NotFound("workflow version", $"{request.WorkflowId}/{request.Version}");
        }

        var started = await CamundaStarts.StartOnceAsync(camunda, aggregate.Workflow, version, request.Variables, InstanceId, options.Value.JsonVariableType, CancellationToken.None);
        if (started.Value is not { } instanceId)
        {
            return started.Problem!;
        }

        return await GrainFactory.GetGrain<ICamundaInstanceGrain>(instanceId).TrackAsync(new CamundaInstanceStart
        {
            WorkflowId = request.WorkflowId,
            ProcessId = aggregate.Workflow.ExternalIdentifier,
            Version = version.Version,
            Variables = request.Variables,
        });
    }

    public async Task<WorkflowInstanceDetails> TrackAsync(CamundaInstanceStart start)
    {
        if (_state is null)
        {
            var now = time.GetUtcNow();
            _state = new CamundaInstanceState
            {
                WorkflowId = start.WorkflowId,
                ProcessId = start.ProcessId,
                Version = start.Version,
                Status = WorkflowInstanceStatus.Active,
                CreatedOn = now,
                ModifiedOn = now,
            };
            Merge(start.Variables);
            WorkflowInstruments.InstancesStarted.Add(1);
            LogTracked(InstanceId, start.ProcessId);
        }

        return await RefreshAsync() ?? throw TaskServiceException.NotFound("workflow instance", InstanceId);
    }

    public Task<WorkflowInstanceDetails?> GetAsync() => RefreshAsync();

    public async Task<Outcome<WorkflowInstanceDetails>> CompleteUserTaskAsync(string userTaskId, JsonElement? variables)
    {
        if (variables is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            return Problem.Invalid("variables", "'variables' must be a JSON object.");
        }

        if (CamundaVariables.Unrepresentable(variables) is { } unrepresentable)
        {
            return unrepresentable;
        }

        var completed = await camunda.CompleteTaskAsync(userTaskId, new CamundaCompleteTask
        {
            Variables = CamundaVariables.FromJsonObject(variables, options.Value.JsonVariableType),
        });
        if (completed.Refusal is { } refusal)
        {
            // As documented: 400, the engine refuses a variable; 500 (the task still pending), the engine could not continue the
            // process after it and rolled back.
            return refusal switch
            {
                { IsBadRequest: true } => Problem.Invalid("variables", $"Camunda refused the variables: {refusal.EngineMessage}"),
                { IsEngineFailure: true } => Problem.Conflict("userTaskId", $"Camunda could not continue the process after user task '{userTaskId}': {refusal.EngineMessage}"),
                _ => throw refusal.ToException(),
            };
        }

        if (!completed.Value)
        {
            return Problem.NotFound("user task", userTaskId);
        }

        if (_state is not null)
        {
            Merge(variables);
            var index = _state.UserTasks.FindIndex(u => u.Id == userTaskId);
            if (index >= 0)
            {
                _state.UserTasks[index] = _state.UserTasks[index] with { Completed = true };
            }
        }

        return await CurrentAsync();
    }

    public async Task<Outcome<WorkflowInstanceDetails>> CompleteExternalTaskAsync(string externalTaskId, JsonElement? variables)
    {
        if (CamundaVariables.Unrepresentable(variables) is { } unrepresentable)
        {
            return unrepresentable;
        }

        var workerId = options.Value.EffectiveWorkerId;
        var completed = await camunda.LockAsync(externalTaskId, new CamundaLockExternalTask { WorkerId = workerId, LockDuration = (long)options.Value.LockDuration.TotalMilliseconds });
        if (completed.IsOk)
        {
            completed = await camunda.CompleteExternalTaskAsync(externalTaskId, new CamundaCompleteExternalTask
            {
                WorkerId = workerId,
                Variables = CamundaVariables.FromJsonObject(variables, options.Value.JsonVariableType),
            });
        }

        switch (completed.Refusal)
        {
            case { IsNotFound: true }:
                return Problem.NotFound("external task", externalTaskId);

            // As documented: 400, the task is locked by another worker (or its lock is not ours); 500, the engine could not
            // continue the process after it (the engine rolled back, the task is still there).
            case { IsBadRequest: true } refusal:
                return Problem.Conflict("externalTaskId", $"External task '{externalTaskId}' is locked by another worker: {refusal.EngineMessage}");
            case { IsEngineFailure: true } refusal:
                return Problem.Conflict("externalTaskId", $"Camunda could not continue the process after external task '{externalTaskId}': {refusal.EngineMessage}");
            case { } refusal:
                throw refusal.ToException();
        }

        Merge(variables);
        return await CurrentAsync();
    }

    public async Task<Outcome<WorkflowInstanceDetails>> RetryIncidentAsync(string incidentId)
    {
        var incident = (await camunda.GetIncidentsAsync(incidentId: incidentId)).FirstOrDefault(i => i.ProcessInstanceId == InstanceId);
        if (incident is null)
        {
            return Problem.NotFound("incident", incidentId);
        }

        if (incident.IncidentType != "failedExternalTask" || incident.Configuration is not { } externalTaskId)
        {
            return Problem.Invalid("incidentId",
                $"Incident '{incidentId}' is of type '{incident.IncidentType}'; only failed external tasks are retried here. Resolve it in Camunda Cockpit.");
        }

        if (!await camunda.SetExternalTaskRetriesAsync(externalTaskId, Math.Max(1, options.Value.Retries)))
        {
            return Problem.NotFound("external task", externalTaskId);
        }

        LogIncidentRetried(InstanceId, incidentId);
        return await CurrentAsync();
    }

    /// <summary>The instance after a step, or not found when Camunda and the store both have no trace of it.</summary>
    private async Task<Outcome<WorkflowInstanceDetails>> CurrentAsync() =>
        await RefreshAsync() is { } details ? details : Problem.NotFound("workflow instance", InstanceId);

    public async Task CancelAsync(string reason)
    {
        await camunda.DeleteProcessInstanceAsync(InstanceId);
        if (_state is { Status: WorkflowInstanceStatus.Active })
        {
            var now = time.GetUtcNow();
            _state.Status = WorkflowInstanceStatus.Canceled;
            _state.EndedOn = now;
            _state.ModifiedOn = now;
            await SaveAsync();
        }

        LogCanceled(InstanceId, reason);
    }

    public async Task ExternalTaskHandledAsync(JsonElement variables)
    {
        if (_state is null)
        {
            return;
        }

        Merge(variables);
        _state.ModifiedOn = time.GetUtcNow();
        if (_state.Status == WorkflowInstanceStatus.Active && await camunda.GetProcessInstanceAsync(InstanceId) is null)
        {
            await NoteEndedAsync();
        }

        await SaveAsync();
    }

    /// <summary>
    /// Reads the instance from the engine, updates the row, and returns what an operator sees; null when no one knows it. An
    /// instance may end at any moment between two reads (its last external task completed, say): whichever read first finds it
    /// gone, the instance is taken as ended, from history, and nothing fails.
    /// </summary>
    private async Task<WorkflowInstanceDetails?> RefreshAsync()
    {
        if (_state is null)
        {
            // Not seen before: named after its definition, which the running instance tells.
            if (await camunda.GetProcessInstanceAsync(InstanceId) is not { } running)
            {
                return await RefreshEndedAsync(null);
            }

            _state = await AdoptAsync(running.DefinitionId, null);
        }

        var read = await camunda.GetProcessInstanceVariablesAsync(InstanceId);
        if (read.Variables is not { } variables)
        {
            return await RefreshEndedAsync(read.Ended);
        }

        foreach (var (name, value) in CamundaVariables.ToJson(variables))
        {
            _state.Variables[name] = value;
        }

        // The reads that follow are independent of each other: one round trip's wait for all of them.
        var userTasks = PendingUserTasksAsync();
        var externalTasksRead = camunda.GetExternalTasksAsync(InstanceId);
        var incidentsRead = camunda.GetIncidentsAsync(processInstanceId: InstanceId);
        var pending = await userTasks;
        var externalTasks = await externalTasksRead;
        var incidents = await incidentsRead;
        var pendingIds = pending.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < _state.UserTasks.Count; i++)
        {
            if (!_state.UserTasks[i].Completed && !pendingIds.Contains(_state.UserTasks[i].Id))
            {
                _state.UserTasks[i] = _state.UserTasks[i] with { Completed = true };
            }
        }

        foreach (var task in pending.Where(p => _state.UserTasks.All(u => u.Id != p.Id)))
        {
            _state.UserTasks.Add(task);
        }

        _state.Status = WorkflowInstanceStatus.Active;
        _state.Incidents = incidents.Count;
        _state.ModifiedOn = time.GetUtcNow();
        await SaveAsync();
        return Details(pending, externalTasks, incidents);
    }

    /// <summary>The user tasks the instance waits on, with their candidate groups.</summary>
    private async Task<List<InstanceUserTask>> PendingUserTasksAsync()
    {
        var pending = new List<InstanceUserTask>();
        foreach (var task in await camunda.GetTasksAsync(InstanceId))
        {
            if (await camunda.GetIdentityLinksAsync(task.Id, "candidate") is not { } links)
            {
                // Completed since the query: no longer pending.
                continue;
            }

            var groups = links
                .Where(l => l.GroupId is not null)
                .Select(l => l.GroupId!)
                .ToArray();
            pending.Add(new InstanceUserTask
            {
                Id = task.Id,
                ElementId = task.TaskDefinitionKey ?? task.Id,
                Name = task.Name,
                Assignee = task.Assignee,
                CandidateGroups = groups.Length == 0 ? null : groups,
                DueDate = task.Due?.ToUniversalTime(),
                CreatedOn = (task.Created ?? time.GetUtcNow()).ToUniversalTime(),
            });
        }

        return pending;
    }

    /// <summary>The instance does not run (any more): the row notes how it ended, from history; null when neither knows it.</summary>
    private async Task<WorkflowInstanceDetails?> RefreshEndedAsync(CamundaHistoricProcessInstance? history)
    {
        if (_state is null)
        {
            history ??= await camunda.GetHistoricProcessInstanceAsync(InstanceId);
            if (history is null)
            {
                return null;
            }

            _state = await AdoptAsync(history.ProcessDefinitionId, history.StartTime);
        }

        if (_state.Status == WorkflowInstanceStatus.Active)
        {
            await NoteEndedAsync(history);
        }

        _state.ModifiedOn = time.GetUtcNow();
        await SaveAsync();
        return Details([], [], []);
    }

    /// <summary>State for an instance TaskService did not start (a modeler or another client did), named after its definition.</summary>
    private async Task<CamundaInstanceState> AdoptAsync(string? definitionId, DateTimeOffset? startTime)
    {
        var definition = definitionId is null ? null : await camunda.GetProcessDefinitionAsync(definitionId);
        var processId = definition?.Key ?? definitionId?.Split(':')[0] ?? string.Empty;
        var workflowId = (await store.FindLiveWorkflowAsync(processId))?.Id;
        var version = definition?.Version ?? 0;
        if (workflowId is not null && await store.LoadWorkflowAsync(workflowId) is { } aggregate
            && aggregate.Versions.FirstOrDefault(v => v.ExternalWorkflowId == definitionId) is { } deployed)
        {
            version = deployed.Version;
        }

        var now = time.GetUtcNow();
        return new CamundaInstanceState
        {
            WorkflowId = workflowId ?? processId,
            ProcessId = processId,
            Version = version,
            Status = WorkflowInstanceStatus.Active,
            CreatedOn = (startTime ?? now).ToUniversalTime(),
            ModifiedOn = now,
        };
    }

    /// <summary>The instance no longer runs: history says whether it completed or was canceled.</summary>
    private async Task NoteEndedAsync(CamundaHistoricProcessInstance? history = null)
    {
        history ??= await camunda.GetHistoricProcessInstanceAsync(InstanceId);
        _state!.Status = history?.State switch
        {
            "EXTERNALLY_TERMINATED" or "INTERNALLY_TERMINATED" => WorkflowInstanceStatus.Canceled,
            _ => WorkflowInstanceStatus.Completed,
        };
        _state.EndedOn = (history?.EndTime ?? time.GetUtcNow()).ToUniversalTime();
        _state.Incidents = 0;
        for (var i = 0; i < _state.UserTasks.Count; i++)
        {
            _state.UserTasks[i] = _state.UserTasks[i] with { Completed = true };
        }

        if (_state.Status == WorkflowInstanceStatus.Completed)
        {
            WorkflowInstruments.InstancesCompleted.Add(1);
        }

        LogEnded(InstanceId, _state.Status);
    }

    private void Merge(JsonElement? variables)
    {
        if (_state is null || variables is not { ValueKind: JsonValueKind.Object } value)
        {
            return;
        }

        foreach (var property in value.EnumerateObject())
        {
            _state.Variables[property.Name] = property.Value.Clone();
        }
    }

    private Task SaveAsync() => store.SaveWorkflowInstanceAsync(Summary(), JsonSerializer.Serialize(_state, ContractJson.Options));

    private WorkflowInstanceSummary Summary() => new()
    {
        Id = InstanceId,
        WorkflowId = _state!.WorkflowId,
        ProcessId = _state.ProcessId,
        Version = _state.Version,
        Status = _state.Status,
        Incidents = _state.Incidents,
        CreatedOn = _state.CreatedOn,
        ModifiedOn = _state.ModifiedOn,
        EndedOn = _state.EndedOn,
    };

    private WorkflowInstanceDetails Details(IReadOnlyList<InstanceUserTask> pending, IReadOnlyList<CamundaExternalTask> externalTasks, IReadOnlyList<CamundaIncident> incidents) => new()
    {
        Instance = Summary(),
        ActiveElements = pending.Select(u => new ActiveElement(u.ElementId, "userTask", u.Name))
            .Concat(externalTasks.Select(t => new ActiveElement(t.ActivityId ?? t.Id, "externalTask", t.TopicName)))
            .ToArray(),
        Variables = JsonElementFactory.From(_state!.Variables),
        UserTasks = [.. _state.UserTasks],
        ExternalTasks = externalTasks.Select(t => new InstanceExternalTask
        {
            Id = t.Id,
            ElementId = t.ActivityId ?? t.Id,
            Topic = t.TopicName ?? string.Empty,
            Failures = t.Retries is { } retries ? Math.Max(0, options.Value.Retries + 1 - retries) : 0,
            NextAttemptAt = null,
            LastError = t.ErrorMessage,
            HasCommand = t.TopicName is not null && commands.TryGet(t.TopicName, out _),
        }).ToArray(),
        Incidents = incidents.Select(i => new Incident
        {
            Id = i.Id,
            ElementId = i.ActivityId ?? string.Empty,
            ExternalTaskId = i.IncidentType == "failedExternalTask" ? i.Configuration : null,
            Message = i.IncidentMessage ?? i.IncidentType ?? "incident",
            CreatedOn = (i.IncidentTimestamp ?? time.GetUtcNow()).ToUniversalTime(),
        }).ToArray(),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camunda engine-rest request {Operation} failed in {Method}; the caller is told to try again later")]
    private partial void LogEngineUnreachable(string operation, string method, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Camunda process instance {InstanceId} of process {ProcessId} is tracked")]
    private partial void LogTracked(string instanceId, string processId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Camunda process instance {InstanceId} ended: {Status}")]
    private partial void LogEnded(string instanceId, WorkflowInstanceStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camunda process instance {InstanceId} canceled: {Reason}")]
    private partial void LogCanceled(string instanceId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camunda process instance {InstanceId}: incident {IncidentId} retried")]
    private partial void LogIncidentRetried(string instanceId, string incidentId);
}
