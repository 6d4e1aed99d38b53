using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TaskService.Commands;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Serialization;
using TaskService.Workflows.Bpmn;
using TaskService.Workflows.Expressions;

namespace TaskService.Workflows.Embedded;

/// <summary>
/// One embedded workflow instance in memory: its state, its process, the steps that move tokens, create user tasks and
/// external tasks, route gateways and raise incidents, and what running a command does to it. It changes the state in memory
/// only; writing it and deciding when commands run are its host's: <see cref="EmbeddedStarter"/> for a start,
/// <see cref="WorkflowInstanceGrain"/> after it.
/// </summary>
internal sealed partial class EmbeddedInstance(
    string instanceId,
    CommandRegistry commands,
    WorkflowEngineOptions options,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>
    /// Start events and gateways a token may pass in one step (a start, a completed task, a retry) before the instance holds it
    /// with an incident. Nothing between them changes the variables, so a token still moving after this many has entered a loop
    /// of gateways with no task or event to wait at, which would never end and whose recursion would overflow the silo's stack.
    /// </summary>
    internal const int MaxPassesPerStep = 1000;

    private BpmnProcess? _process;

    // The step under way: how deep its token movement is, how many elements it passed, and whether it ran out of passes.
    private int _depth;
    private int _passes;
    private bool _runaway;

    public string InstanceId { get; } = instanceId;

    /// <summary>The instance's state; its row in the store is this state, written whole on every change.</summary>
    public WorkflowInstanceState State { get; set; } = new();

    /// <summary>The process the instance runs; set when it starts or is loaded.</summary>
    public BpmnProcess Process
    {
        get => _process ?? throw new InvalidOperationException($"Instance '{InstanceId}' has no process loaded.");
        set => _process = value;
    }

    /// <summary>Why the instance cannot take a step: never started (not found) or no longer active (a conflict); null when active.</summary>
    public Problem? Inactive() =>
        !State.Started ? Problem.NotFound("workflow instance", InstanceId)
        : State.Status != WorkflowInstanceStatus.Active ? Problem.Conflict("instance", $"Workflow instance '{InstanceId}' is {State.Status.ToString().ToLowerInvariant()}.")
        : null;

    /// <summary>
    /// Makes this a new instance of <see cref="Process"/> with the request's variables and moves its first token as far as it
    /// goes: null when started, else why it cannot be.
    /// </summary>
    public Problem? Begin(WorkflowStartRequest request, DateTimeOffset now)
    {
        if (request.Variables.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            return Problem.Invalid("variables", "The variables of a new instance must be a JSON object.");
        }

        State.WorkflowId = request.WorkflowId;
        State.Version = request.Version;
        State.ProcessId = Process.Id;
        State.Status = WorkflowInstanceStatus.Active;
        State.CreatedOn = now;
        if (request.Variables.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in request.Variables.EnumerateObject())
            {
                State.Variables[property.Name] = property.Value.Clone();
            }
        }

        var token = NewToken(Process.Start.Id);
        Leave(token, Process.Start);
        return null;
    }

    public string NextId(string kind) => DeterministicId.From(InstanceId, kind, (++State.Sequence).ToString(CultureInfo.InvariantCulture));

    public TokenState NewToken(string elementId) => new() { Id = NextId("token"), ElementId = elementId };

    /// <summary>The token leaves <paramref name="element"/> on every outgoing flow (more than one is an implicit fork).</summary>
    public void Leave(TokenState token, BpmnElement element)
    {
        _depth++;
        try
        {
            State.Tokens.Remove(token);
            var outgoing = Process.Outgoing(element.Id);
            for (var i = 0; i < outgoing.Count; i++)
            {
                var moving = i == 0 ? token : NewToken(element.Id);
                Take(moving, outgoing[i]);
            }
        }
        finally
        {
            EndMove();
        }
    }

    private void Take(TokenState token, SequenceFlow flow) => Arrive(token, Process.Elements[flow.TargetId], flow.Id);

    /// <summary>A token reaches an element: it passes through, or waits there.</summary>
    public void Arrive(TokenState token, BpmnElement element, string? viaFlowId = null)
    {
        token.ElementId = element.Id;
        if (element is StartEvent or ExclusiveGateway or ParallelGateway && !Pass(token, element))
        {
            return;
        }

        _depth++;
        try
        {
            Enter(token, element, viaFlowId);
        }
        finally
        {
            EndMove();
        }
    }

    /// <summary>
    /// Counts a token passing through <paramref name="element"/>: false, with the token held there, once the step has passed
    /// <see cref="MaxPassesPerStep"/> elements (the first such token raises the step's one incident).
    /// </summary>
    private bool Pass(TokenState token, BpmnElement element)
    {
        if (!_runaway && ++_passes <= MaxPassesPerStep)
        {
            return true;
        }

        State.Tokens.Add(token);
        if (!_runaway)
        {
            _runaway = true;
            RaiseIncident(element.Id, null,
                $"A token passed {MaxPassesPerStep} gateways in one step and was stopped at {element.Describe()}: the process loops through gateways without a task or event to wait at. Put a user task or service task on the loop (or correct its conditions), deploy that as a new version and cancel this instance.",
                null);
        }

        return false;
    }

    /// <summary>Ends one level of token movement; when the outermost one ends, the next step starts with a fresh count.</summary>
    private void EndMove()
    {
        if (--_depth == 0)
        {
            _passes = 0;
            _runaway = false;
        }
    }

    private void Enter(TokenState token, BpmnElement element, string? viaFlowId)
    {
        switch (element)
        {
            case EndEvent:
                State.Tokens.Remove(token);
                break;

            case StartEvent:
                Leave(token, element);
                break;

            case UserTaskElement userTask:
                State.Tokens.Add(token);
                State.UserTasks.Add(CreateUserTask(userTask, token));
                break;

            case ExternalTaskElement external:
                State.Tokens.Add(token);
                State.ExternalTasks.Add(new ExternalTaskState
                {
                    Id = NextId("external-task"),
                    ElementId = external.Id,
                    Topic = external.Topic,
                    TokenId = token.Id,
                    NextAttemptAt = time.GetUtcNow(),
                });
                break;

            case ExclusiveGateway gateway:
                Route(token, gateway);
                break;

            case ParallelGateway gateway:
                Join(token, gateway, viaFlowId);
                break;

            default:
                throw new InvalidOperationException($"The embedded engine cannot run {element.Describe()}.");
        }
    }

    private void Route(TokenState token, ExclusiveGateway gateway)
    {
        SequenceFlow? chosen = null;
        try
        {
            foreach (var flow in Process.Outgoing(gateway.Id))
            {
                if (flow.Id == gateway.DefaultFlowId)
                {
                    continue;
                }

                if (flow.Condition is null || JuelExpression.GetOrCompile(flow.Condition).EvaluateCondition(State.Variables))
                {
                    chosen = flow;
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is JuelEvaluationException or JuelSyntaxException)
        {
            Stuck(token, gateway, $"A condition of {gateway.Describe()} could not be evaluated: {exception.Message}");
            return;
        }

        chosen ??= gateway.DefaultFlowId is { } defaultFlow ? Process.Flows[defaultFlow] : null;
        if (chosen is null)
        {
            Stuck(token, gateway, $"No outgoing sequence flow of {gateway.Describe()} could be selected: no condition holds and there is no default flow.");
            return;
        }

        Take(token, chosen);
    }

    private void Stuck(TokenState token, BpmnElement element, string message)
    {
        State.Tokens.Add(token);
        RaiseIncident(element.Id, null, message, null);
    }

    private void Join(TokenState token, ParallelGateway gateway, string? viaFlowId)
    {
        var incoming = Process.Incoming(gateway.Id);
        if (incoming.Count > 1)
        {
            State.Tokens.Remove(token);
            if (!State.JoinArrivals.TryGetValue(gateway.Id, out var arrivals))
            {
                State.JoinArrivals[gateway.Id] = arrivals = [];
            }

            arrivals.Add(viaFlowId ?? string.Empty);
            if (!incoming.All(flow => arrivals.Contains(flow.Id)))
            {
                return;
            }

            foreach (var flow in incoming)
            {
                arrivals.Remove(flow.Id);
            }

            if (arrivals.Count == 0)
            {
                State.JoinArrivals.Remove(gateway.Id);
            }

            token = NewToken(gateway.Id);
        }

        Leave(token, gateway);
    }

    private UserTaskState CreateUserTask(UserTaskElement element, TokenState token)
    {
        var assignee = EvaluateText(element.Assignee, element, "camunda:assignee");
        var groups = EvaluateText(element.CandidateGroups, element, "camunda:candidateGroups");
        var due = EvaluateText(element.DueDate, element, "camunda:dueDate");
        DateTimeOffset? dueDate = null;
        if (due is not null)
        {
            if (DateTimeOffset.TryParse(due, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                dueDate = parsed.ToUniversalTime();
            }
            else
            {
                LogBadDueDate(InstanceId, element.Id, due);
            }
        }

        return new UserTaskState
        {
            Id = NextId("user-task"),
            ElementId = element.Id,
            TokenId = token.Id,
            Name = element.Name ?? element.Id,
            Assignee = assignee,
            CandidateGroups = groups?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            DueDate = dueDate,
            CreatedOn = time.GetUtcNow(),
        };
    }

    /// <summary>An attribute that is a literal, or a <c>${...}</c> expression evaluated over the variables.</summary>
    private string? EvaluateText(string? value, BpmnElement element, string attribute)
    {
        if (string.IsNullOrWhiteSpace(value) || !(value.Contains("${", StringComparison.Ordinal) || value.Contains("#{", StringComparison.Ordinal)))
        {
            return string.IsNullOrWhiteSpace(value) ? null : value;
        }

        try
        {
            var result = JuelExpression.GetOrCompile(value).Evaluate(State.Variables);
            return result.ValueKind switch
            {
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                JsonValueKind.String => result.GetString(),
                _ => result.GetRawText(),
            };
        }
        catch (Exception exception) when (exception is JuelEvaluationException or JuelSyntaxException)
        {
            LogAttributeFailed(InstanceId, element.Id, attribute, exception.Message);
            return null;
        }
    }

    public void FinishExternalTask(ExternalTaskState task)
    {
        State.ExternalTasks.Remove(task);
        State.Incidents.RemoveAll(i => i.ExternalTaskId == task.Id);
        var token = State.Tokens.Single(t => t.Id == task.TokenId);
        var element = (ExternalTaskElement)Process.Elements[task.ElementId];
        if (element.EndsToken)
        {
            State.Tokens.Remove(token);
        }
        else
        {
            Leave(token, element);
        }
    }

    public void CompleteIfDone()
    {
        if (State.Status == WorkflowInstanceStatus.Active && State.Tokens.Count == 0 && State.JoinArrivals.Count == 0)
        {
            State.Status = WorkflowInstanceStatus.Completed;
            State.EndedOn = time.GetUtcNow();
            WorkflowInstruments.InstancesCompleted.Add(1);
            LogCompleted(InstanceId);
        }
    }

    /// <summary>Makes the state ready to be written: completed if nothing waits any more, and modified now.</summary>
    public void PrepareWrite()
    {
        CompleteIfDone();
        State.ModifiedOn = time.GetUtcNow();
    }

    public Problem? MergeVariables(JsonElement? variables, string field)
    {
        if (variables is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return Problem.Invalid(field, $"'{field}' must be a JSON object.");
        }

        foreach (var property in value.EnumerateObject())
        {
            State.Variables[property.Name] = property.Value.Clone();
        }

        return null;
    }

    public void RaiseIncident(string elementId, string? externalTaskId, string message, string? details)
    {
        State.Incidents.Add(new Incident
        {
            Id = NextId("incident"),
            ElementId = elementId,
            ExternalTaskId = externalTaskId,
            Message = message,
            Details = details,
            CreatedOn = time.GetUtcNow(),
        });
        WorkflowInstruments.Incidents.Add(1);
        LogIncident(InstanceId, elementId, message.TrimEnd().TrimEnd('.'));
    }

    /// <summary>When the next command of this instance is due, or null when it has none to run.</summary>
    public DateTimeOffset? NextDue()
    {
        if (State.Status != WorkflowInstanceStatus.Active)
        {
            return null;
        }

        DateTimeOffset? next = null;
        foreach (var task in State.ExternalTasks)
        {
            if (task.NextAttemptAt is { } due && (next is null || due < next) && commands.TryGet(task.Topic, out _))
            {
                next = due;
            }
        }

        return next;
    }

    /// <summary>The first open external task whose command is registered and due now; null when none is (or the instance is not active).</summary>
    /// <param name="ran">External tasks that ran already and are not to run again now (a retry waits for its backoff).</param>
    public ExternalTaskState? DueCommand(HashSet<string>? ran = null)
    {
        if (State.Status != WorkflowInstanceStatus.Active)
        {
            return null;
        }

        var now = time.GetUtcNow();
        foreach (var task in State.ExternalTasks)
        {
            if (task.NextAttemptAt <= now && ran?.Contains(task.Id) != true && commands.TryGet(task.Topic, out _))
            {
                return task;
            }
        }

        return null;
    }

    /// <summary>
    /// Runs the command of <paramref name="task"/> with a copy of the variables; a failure (an exception, the timeout) is
    /// returned, not thrown. The state is not touched: <see cref="Apply"/> does that.
    /// </summary>
    /// <param name="traceParent">The trace of the call that made the command due (a start, a completed user task).</param>
    public async Task<CommandOutcome> ExecuteCommandAsync(ExternalTaskState task, string? traceParent, CancellationToken cancellationToken)
    {
        using var activity = TaskServiceActivities.StartCommand(task.Topic, InstanceId, traceParent);
        commands.TryGet(task.Topic, out var command);
        var context = new ExternalTaskContext(task.Id, task.Topic, InstanceId, new Dictionary<string, JsonElement>(State.Variables, StringComparer.Ordinal));
        IReadOnlyDictionary<string, JsonElement>? result = null;
        Exception? failure = null;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(options.CommandTimeout);
            try
            {
                result = await command!.ExecuteAsync(context, timeout.Token);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        }

        CommandInstruments.Ran(task.Topic, failure is null);
        return new CommandOutcome(result, failure);
    }

    /// <summary>
    /// Applies what a command did to the state (not written yet): its variables and the next step, or a retry after the backoff,
    /// or an incident once retries are exhausted. False when there is nothing to apply.
    /// </summary>
    public bool Apply(ExternalTaskState task, CommandOutcome outcome)
    {
        // The instance may have been canceled, or the task completed from outside, while the command ran.
        if (State.Status != WorkflowInstanceStatus.Active || !State.ExternalTasks.Contains(task))
        {
            return false;
        }

        if (outcome.Failure is not { } failure)
        {
            if (outcome.Result is { } result)
            {
                foreach (var (name, value) in result)
                {
                    State.Variables[name] = value;
                }
            }

            LogCommandCompleted(InstanceId, task.Topic, task.Id, task.Failures + 1);
            FinishExternalTask(task);
            return true;
        }

        task.Failures++;
        task.LastError = failure.Message;
        var retries = options.CommandRetries;
        if (task.Failures > retries)
        {
            task.NextAttemptAt = null;
            // The incident is served by the API: it carries the messages only; the log keeps the stack trace.
            LogCommandGaveUp(InstanceId, task.Topic, task.Id, task.Failures, failure);
            RaiseIncident(task.ElementId, task.Id,
                $"Command '{task.Topic}' failed {task.Failures} time(s); retries are exhausted: {failure.Message}",
                PublicErrorText.Describe(failure));
        }
        else
        {
            var delay = new Backoff(options.RetryBackoff, options.MaxRetryBackoff).Delay(task.Failures, 0);
            task.NextAttemptAt = time.GetUtcNow() + delay;
            LogCommandFailed(InstanceId, task.Topic, task.Id, task.Failures, retries, delay, failure);
        }

        return true;
    }

    public WorkflowInstanceSummary Summary() => new()
    {
        Id = InstanceId,
        WorkflowId = State.WorkflowId!,
        ProcessId = State.ProcessId!,
        Version = State.Version,
        Status = State.Status,
        Incidents = State.Incidents.Count,
        CreatedOn = State.CreatedOn,
        ModifiedOn = State.ModifiedOn,
        EndedOn = State.EndedOn,
    };

    /// <summary>The instance's user tasks, completed ones included, as its details show them.</summary>
    public InstanceUserTask[] UserTaskList() =>
        [.. State.UserTasks.Select(u => new InstanceUserTask
        {
            Id = u.Id,
            ElementId = u.ElementId,
            Name = u.Name,
            Assignee = u.Assignee,
            CandidateGroups = u.CandidateGroups,
            DueDate = u.DueDate,
            Completed = u.Completed,
            CreatedOn = u.CreatedOn,
            Form = Process.Elements.TryGetValue(u.ElementId, out var element) ? (element as UserTaskElement)?.Form : null,
        })];

    public WorkflowInstanceDetails Details() => new()
    {
        Instance = Summary(),
        ActiveElements = State.Tokens
            .Select(t => Process.Elements[t.ElementId])
            .Concat(State.JoinArrivals.Keys.Select(id => Process.Elements[id]))
            .Select(e => new ActiveElement(e.Id, e.Kind, e.Name))
            .ToArray(),
        Variables = JsonElementFactory.From(State.Variables),
        UserTasks = UserTaskList(),
        ExternalTasks = State.ExternalTasks.Select(t => new InstanceExternalTask
        {
            Id = t.Id,
            ElementId = t.ElementId,
            Topic = t.Topic,
            Failures = t.Failures,
            NextAttemptAt = t.NextAttemptAt,
            LastError = t.LastError,
            HasCommand = commands.TryGet(t.Topic, out _),
        }).ToArray(),
        Incidents = [.. State.Incidents],
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workflow instance {InstanceId}: command {Topic} completed external task {ExternalTaskId} on attempt {Attempt}")]
    private partial void LogCommandCompleted(string instanceId, string topic, string externalTaskId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow instance {InstanceId}: command {Topic} failed for external task {ExternalTaskId} ({Failures} of {Retries} retries); next attempt in {Delay}")]
    private partial void LogCommandFailed(string instanceId, string topic, string externalTaskId, int failures, int retries, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workflow instance {InstanceId}: command {Topic} of external task {ExternalTaskId} failed {Failures} time(s); retries are exhausted")]
    private partial void LogCommandGaveUp(string instanceId, string topic, string externalTaskId, int failures, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workflow instance {InstanceId} completed")]
    private partial void LogCompleted(string instanceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workflow instance {InstanceId} has an incident at {ElementId}: {Message}. Fix the cause, then retry the incident through the workflow-instances API")]
    private partial void LogIncident(string instanceId, string elementId, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow instance {InstanceId}: camunda:dueDate of {ElementId} is '{DueDate}', not a date; the user task has no due date")]
    private partial void LogBadDueDate(string instanceId, string elementId, string dueDate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow instance {InstanceId}: {Attribute} of {ElementId} could not be evaluated: {Error}")]
    private partial void LogAttributeFailed(string instanceId, string elementId, string attribute, string error);
}

/// <summary>What running a command gave: the variables it returned, or why it failed (an exception, the timeout).</summary>
internal readonly record struct CommandOutcome(IReadOnlyDictionary<string, JsonElement>? Result, Exception? Failure);
