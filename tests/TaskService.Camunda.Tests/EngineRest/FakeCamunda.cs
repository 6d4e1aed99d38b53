using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskService.Workflows.Bpmn;
using TaskService.Workflows.Camunda;
using TaskService.Workflows.Expressions;

namespace TaskService.Camunda.Tests.EngineRest;

/// <summary>
/// An in-memory Camunda 7 engine behind the engine-rest operations TaskService uses. It deploys BPMN files (parsed with the
/// embedded engine's <see cref="BpmnParser"/>, so the same subset), runs instances (start and end events, user tasks, external
/// service tasks and message events, exclusive gateways with JUEL conditions, parallel gateways), keeps external tasks with
/// worker locks, lock expiry, retries, retry timeouts and incidents, long-polls fetchAndLock, and keeps history of ended
/// instances. It answers as the engine does: dates as <c>yyyy-MM-dd'T'HH:mm:ss.SSSZ</c> in the server's offset (+02:00 here),
/// typed variables with <c>valueInfo</c>, Object variables in their serialized JSON form, every DTO property written, null or not,
/// errors as <c>{type, message}</c> with the status the description gives for the operation (500 for the variables of an
/// instance that is not running, 400 for an unknown definition, ...). Variables are deserialized as the Java engine would:
/// <c>Object</c> values into the Java type they name (maps and lists; a type this engine does not have is refused), so
/// expressions reach their properties and items; Spin <c>Json</c> values stay opaque to expressions (<c>${order.amount}</c> on
/// one fails, as it does on Camunda, where Spin's API is needed). An expression that fails is a 500 of the request that ran
/// it, and starting an instance or completing a task is undone when it fails, as the engine's transaction is.
/// </summary>
public sealed class FakeCamunda
{
    public static readonly TimeSpan ServerOffset = TimeSpan.FromHours(2);

    private readonly object _gate = new();
    private readonly List<Deployment> _deployments = [];
    private readonly List<Definition> _definitions = [];
    private readonly Dictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExternalTask> _externalTasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UserTask> _userTasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IncidentRecord> _incidents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _redeliverOnce = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lockExtensions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _endBeforeVariablesRead = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource> _heldVariablesReads = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sequence;

    /// <summary>The engine-rest root the links in answers point to.</summary>
    public string BaseUrl { get; set; } = "http://localhost/engine-rest";

    /// <summary>How many tasks each fetchAndLock returned, in order.</summary>
    public ConcurrentQueue<int> FetchSizes { get; } = new();

    /// <summary>Every failure reported, in order.</summary>
    public ConcurrentQueue<ReportedFailure> Failures { get; } = new();

    /// <summary>External task ids completed, in order, and completions refused (task gone or locked by another worker).</summary>
    public ConcurrentQueue<string> Completions { get; } = new();

    public ConcurrentQueue<string> RefusedCompletions { get; } = new();

    public sealed record ReportedFailure(string ExternalTaskId, string InstanceId, string Topic, string WorkerId, int Retries, long RetryTimeout, string? ErrorMessage, DateTimeOffset At, string? ErrorDetails = null);

    /// <summary>The next task of <paramref name="topic"/> to be locked is delivered once more by a later fetch, as if its lock had run out.</summary>
    public void RedeliverNextTaskOf(string topic)
    {
        lock (_gate)
        {
            _redeliverOnce.Add(topic);
        }
    }

    /// <summary>
    /// Instances of <paramref name="processKey"/> end (as if their last piece of work completed meanwhile) at the moment someone
    /// asks for their variables, so that read answers as the description says for an instance that is not running: 500.
    /// </summary>
    public void EndBeforeVariablesAreRead(string processKey)
    {
        lock (_gate)
        {
            _endBeforeVariablesRead.Add(processKey);
        }
    }

    /// <summary>How many reads of variables found the instance ended (and answered 500).</summary>
    public int VariablesOfEndedInstancesAsked { get; private set; }

    /// <summary>
    /// Reads of the variables of instances of <paramref name="processKey"/> are held (the engine is slow for them) until the
    /// returned action releases them, or the reader gives up.
    /// </summary>
    public Action HoldVariablesReads(string processKey)
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _heldVariablesReads[processKey] = hold;
        }

        return () =>
        {
            lock (_gate)
            {
                _heldVariablesReads.Remove(processKey);
            }

            hold.TrySetResult();
        };
    }

    /// <summary>Reads of variables being held now, and held reads that ended (released, or given up by the reader).</summary>
    public (int Waiting, int Ended) HeldVariablesReads
    {
        get
        {
            lock (_gate)
            {
                return (_heldReadsWaiting, _heldReadsEnded);
            }
        }
    }

    private int _heldReadsWaiting;
    private int _heldReadsEnded;

    /// <summary>Cancels an instance as another client would (Cockpit): its external and user tasks are gone.</summary>
    public void Cancel(string instanceId)
    {
        lock (_gate)
        {
            End(_instances[instanceId], "EXTERNALLY_TERMINATED");
            Pulse();
        }
    }

    /// <summary>Locks the instance's external tasks for another worker, as if their locks ran out and another worker fetched them.</summary>
    public void LockForAnotherWorker(string instanceId, string workerId, TimeSpan duration)
    {
        lock (_gate)
        {
            foreach (var task in _externalTasks.Values.Where(t => t.Instance.Id == instanceId))
            {
                task.WorkerId = workerId;
                task.LockExpiration = DateTimeOffset.UtcNow + duration;
            }
        }
    }

    // Test access to the engine's state

    /// <summary>Deploys BPMN as another client would (a modeler), and returns the definition ids by process key.</summary>
    public IReadOnlyDictionary<string, string> Deploy(string name, string bpmn)
    {
        var form = new MultipartForm([new("deployment-name", name)], [("data", $"{name}.bpmn", Encoding.UTF8.GetBytes(bpmn))]);
        var answer = (Dictionary<string, object?>)CreateDeployment(form).Body!;
        lock (_gate)
        {
            Pulse();
        }

        return ((Dictionary<string, object?>?)answer["deployedProcessDefinitions"] ?? [])
            .ToDictionary(d => (string)((Dictionary<string, object?>)d.Value!)["key"]!, d => d.Key);
    }

    /// <summary>Starts an instance of the latest definition of <paramref name="key"/> as another client would, and returns its id.</summary>
    public string Start(string key, IReadOnlyDictionary<string, StoredVariable>? variables = null, string? businessKey = null) =>
        StartMany(key, 1, variables)[0];

    /// <summary>Starts <paramref name="count"/> instances at once: a fetch sees all of them or none.</summary>
    public IReadOnlyList<string> StartMany(string key, int count, IReadOnlyDictionary<string, StoredVariable>? variables = null)
    {
        lock (_gate)
        {
            var definition = LatestDefinition(key) ?? throw new InvalidOperationException($"No definition with key {key}.");
            var ids = Enumerable.Range(0, count).Select(_ => StartInstance(definition, null, variables ?? new Dictionary<string, StoredVariable>()).Id).ToArray();
            Pulse();
            return ids;
        }
    }

    /// <summary>A BPMN file with one external service task of <paramref name="topic"/> between start and end.</summary>
    public static string ServiceTaskProcess(string processId, string topic) =>
        BpmnBuilder.Process(processId).StartEvent("Start").ServiceTask("Work", topic, "Work").EndEvent("End").Build();

    /// <summary>
    /// A BPMN file whose external service task of <paramref name="topic"/> is followed by a gateway whose condition reads
    /// <c>order.amount</c>: completing the task without that variable is refused with 500 (the process cannot continue).
    /// </summary>
    public static string ConditionAfterTaskProcess(string processId, string topic) =>
        BpmnBuilder.Process(processId)
            .StartEvent("Start")
            .ServiceTask("Manual", topic)
            .ExclusiveGateway("Gateway", condition: "${order.amount > 1}")
            .EndEvent("End")
            .Build();

    /// <summary>How many times the locks of the instance's external tasks were extended.</summary>
    public int LockExtensionsOf(string instanceId)
    {
        lock (_gate)
        {
            return _lockExtensions.GetValueOrDefault(instanceId);
        }
    }

    public IReadOnlyList<(string Id, string Key, int Version)> Definitions()
    {
        lock (_gate)
        {
            return _definitions.Select(d => (d.Id, d.Key, d.Version)).ToArray();
        }
    }

    public int OpenExternalTasks(string topic)
    {
        lock (_gate)
        {
            return _externalTasks.Values.Count(t => t.Topic == topic);
        }
    }

    public IReadOnlyList<(string Id, string Type, string Configuration, string? Message)> IncidentsOf(string instanceId)
    {
        lock (_gate)
        {
            return _incidents.Values.Where(i => i.InstanceId == instanceId).Select(i => (i.Id, i.Type, i.Configuration, i.Message)).ToArray();
        }
    }

    public IReadOnlyList<(string Id, string BusinessKey, string Key, string State)> Instances()
    {
        lock (_gate)
        {
            return _instances.Values.Select(i => (i.Id, i.BusinessKey ?? string.Empty, i.Definition.Key, i.State)).ToArray();
        }
    }

    /// <summary>The instances of a process, with when they started and ended.</summary>
    public IReadOnlyList<(string Id, string State, DateTimeOffset Started, DateTimeOffset? Ended)> InstancesOf(string processKey)
    {
        lock (_gate)
        {
            return _instances.Values.Where(i => i.Definition.Key == processKey).Select(i => (i.Id, i.State, i.StartTime, i.EndTime)).ToArray();
        }
    }

    public IReadOnlyDictionary<string, StoredVariable> VariablesOf(string instanceId)
    {
        lock (_gate)
        {
            return new Dictionary<string, StoredVariable>(_instances[instanceId].Variables);
        }
    }

    /// <summary>Answers one engine-rest operation.</summary>
    public async Task<FakeResponse> HandleAsync(FakeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.Operation.OperationId == "fetchAndLock")
            {
                return await FetchAndLockAsync(request.Body, cancellationToken);
            }

            if (request.Operation.OperationId == "getProcessInstanceVariables")
            {
                await WhileHeldAsync(request.Path("id"), cancellationToken);
            }

            if (request.Operation.OperationId is "completeExternalTaskResource" or "handleFailure")
            {
                Task? redelivered;
                lock (_gate)
                {
                    redelivered = _externalTasks.GetValueOrDefault(request.Path("id"))?.Redelivered?.Task;
                }

                if (redelivered is not null)
                {
                    await Task.WhenAny(redelivered, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
                }
            }

            lock (_gate)
            {
                var response = Handle(request);
                Pulse();
                return response;
            }
        }
        catch (FakeError error)
        {
            return new FakeResponse(error.Status, new Dictionary<string, object?> { ["type"] = error.Type, ["message"] = error.Message });
        }
    }

    /// <summary>Waits while reads of the instance's variables are held (<see cref="HoldVariablesReads"/>), or until the reader gives up.</summary>
    private async Task WhileHeldAsync(string instanceId, CancellationToken cancellationToken)
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            hold = _instances.TryGetValue(instanceId, out var instance) ? _heldVariablesReads.GetValueOrDefault(instance.Definition.Key) : null;
            if (hold is null)
            {
                return;
            }

            _heldReadsWaiting++;
        }

        await Task.WhenAny(hold.Task, Task.Delay(Timeout.Infinite, cancellationToken));
        lock (_gate)
        {
            _heldReadsWaiting--;
            _heldReadsEnded++;
        }
    }

    private FakeResponse Handle(FakeRequest request) => request.Operation.OperationId switch
    {
        "createDeployment" => CreateDeployment(request.Form ?? throw FakeError.BadRequest("multipart/form-data expected")),
        "getProcessDefinitionByKey" => FakeResponse.Ok(DefinitionDto(LatestDefinition(request.Path("key"))
            ?? throw FakeError.BadRequest($"No matching process definition with key: {request.Path("key")} and no tenant-id"))),
        "getProcessDefinition" => FakeResponse.Ok(DefinitionDto(RequireDefinition(request.Path("id"), 400))),
        "deleteProcessDefinition" => DeleteDefinition(request.Path("id"), request.QueryValue("cascade") == "true"),
        "startProcessInstanceByKey" => Start(LatestDefinition(request.Path("key"))
            ?? throw FakeError.BadRequest($"No matching process definition with key: {request.Path("key")} and no tenant-id"), request.Body),
        "startProcessInstance" => Start(RequireDefinition(request.Path("id"), 400), request.Body),
        "getProcessInstances" => FakeResponse.Ok(_instances.Values
            .Where(i => i.State == "ACTIVE")
            .Where(i => request.QueryValue("businessKey") is not { } key || i.BusinessKey == key)
            .Where(i => request.QueryValue("processDefinitionKey") is not { } key || i.Definition.Key == key)
            .Select(InstanceDto).ToArray()),
        "getProcessInstance" => FakeResponse.Ok(InstanceDto(RequireRunning(request.Path("id")))),
        "deleteProcessInstance" => DeleteInstance(request.Path("id"), request.QueryValue("failIfNotExists") != "false"),
        "getProcessInstanceVariables" => FakeResponse.Ok(VariablesDto(RunningForVariables(request.Path("id")).Variables, null, request.QueryValue("deserializeValues") != "false")),
        "getHistoricProcessInstances" => FakeResponse.Ok(_instances.Values
            .Where(i => request.QueryValue("processInstanceBusinessKey") is not { } key || i.BusinessKey == key)
            .Where(i => request.QueryValue("processDefinitionKey") is not { } key || i.Definition.Key == key)
            .Select(HistoricDto).ToArray()),
        "getHistoricProcessInstance" => FakeResponse.Ok(HistoricDto(_instances.GetValueOrDefault(request.Path("id"))
            ?? throw FakeError.NotFound($"Historic process instance with id {request.Path("id")} does not exist"))),
        "completeExternalTaskResource" => CompleteExternalTask(request.Path("id"), request.Body),
        "handleFailure" => HandleFailure(request.Path("id"), request.Body),
        "extendLock" => ExtendLock(request.Path("id"), request.Body),
        "lock" => Lock(request.Path("id"), request.Body),
        "unlock" => Unlock(request.Path("id")),
        "setExternalTaskResourceRetries" => SetRetries(request.Path("id"), request.Body),
        "getExternalTasks" => FakeResponse.Ok(_externalTasks.Values
            .Where(t => request.QueryValue("processInstanceId") is not { } id || t.Instance.Id == id)
            .Where(t => request.QueryValue("taskId") is not { } taskId || t.Id == taskId)
            .OrderBy(t => t.Sequence)
            .Select(t => ExternalTaskDto(t, locked: false)).ToArray()),
        "getTasks" => FakeResponse.Ok(_userTasks.Values
            .Where(t => request.QueryValue("processInstanceId") is not { } id || t.Instance.Id == id)
            .Where(t => request.QueryValue("taskId") is not { } taskId || t.Id == taskId)
            .OrderBy(t => t.Sequence)
            .Select(UserTaskDto).ToArray()),
        "complete" => CompleteUserTask(request.Path("id"), request.Body),
        "getIdentityLinks" => IdentityLinks(request.Path("id"), request.QueryValue("type")),
        "getIncidents" => FakeResponse.Ok(_incidents.Values
            .Where(i => request.QueryValue("processInstanceId") is not { } id || i.InstanceId == id)
            .Where(i => request.QueryValue("incidentId") is not { } id || i.Id == id)
            .Select(IncidentDto).ToArray()),
        "deliverMessage" => throw new FakeError(400, "RestException",
            $"Cannot correlate message '{request.Body.GetProperty("messageName").GetString()}': No process definition or execution matches the parameters"),
        _ => throw new FakeError(501, "NotImplemented", $"The test engine does not implement {request.Operation}."),
    };

    // Deployments and definitions

    private FakeResponse CreateDeployment(MultipartForm form)
    {
        string? Field(string name) => form.Fields.FirstOrDefault(f => f.Key == name).Value;
        var name = Field("deployment-name");
        var changedOnly = Field("deploy-changed-only") == "true" || Field("enable-duplicate-filtering") == "true";
        var resources = form.Files.ToDictionary(f => f.FileName, f => Encoding.UTF8.GetString(f.Content), StringComparer.Ordinal);
        lock (_gate)
        {
            if (changedOnly && _deployments.LastOrDefault(d => d.Name == name) is { } previous
                && resources.All(r => previous.Resources.TryGetValue(r.Key, out var content) && content == r.Value))
            {
                return FakeResponse.Ok(DeploymentDto(previous, []));
            }

            var parsed = new List<BpmnProcess>();
            foreach (var (resource, content) in resources.Where(r => r.Key.EndsWith(".bpmn", StringComparison.OrdinalIgnoreCase) || r.Key.EndsWith(".bpmn20.xml", StringComparison.OrdinalIgnoreCase)))
            {
                var processes = BpmnParser.Parse(content);
                if (!processes.IsOk)
                {
                    throw new FakeError(400, "ParseException", $"ENGINE-09005 Could not parse BPMN process. Errors: \n* {processes.Problem.Detail} | resource {resource}");
                }

                parsed.AddRange(processes.Value!);
            }

            var deployment = new Deployment(NewId(), name, Field("deployment-source"), Now(), resources);
            _deployments.Add(deployment);
            var created = new List<Definition>();
            foreach (var process in parsed)
            {
                var version = _definitions.Where(d => d.Key == process.Id).Select(d => d.Version).DefaultIfEmpty(0).Max() + 1;
                var definition = new Definition($"{process.Id}:{version}:{NewId()}", process.Id, process.Name, version, deployment.Id,
                    resources.First(r => r.Value.Contains($"\"{process.Id}\"", StringComparison.Ordinal)).Key, process);
                _definitions.Add(definition);
                created.Add(definition);
            }

            return FakeResponse.Ok(DeploymentDto(deployment, created));
        }
    }

    private Definition? LatestDefinition(string key) => _definitions.Where(d => d.Key == key).MaxBy(d => d.Version);

    /// <summary>The definition with this id; else the status the description gives for the operation (400 or 404).</summary>
    private Definition RequireDefinition(string id, int status) =>
        _definitions.FirstOrDefault(d => d.Id == id) ?? throw new FakeError(status, "InvalidRequestException", $"No matching definition with id {id}");

    private FakeResponse DeleteDefinition(string id, bool cascade)
    {
        var definition = RequireDefinition(id, 404);
        var running = _instances.Values.Where(i => i.Definition == definition && i.State == "ACTIVE").ToArray();
        if (running.Length > 0 && !cascade)
        {
            throw new FakeError(500, "ProcessEngineException",
                $"Deletion of process definition without cascading failed. Process definition with id: {id} can't be deleted, since there exists {running.Length} dependening process instances.");
        }

        // With cascade the engine deletes the definition's instances, running or ended, history included.
        foreach (var instance in _instances.Values.Where(i => i.Definition == definition && cascade).ToArray())
        {
            End(instance, "EXTERNALLY_TERMINATED");
            _instances.Remove(instance.Id);
        }

        _definitions.Remove(definition);
        return FakeResponse.NoContent;
    }

    // Instances

    private FakeResponse Start(Definition definition, JsonElement body)
    {
        var variables = ReadVariables(body, "variables");
        var businessKey = body.TryGetProperty("businessKey", out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null;
        var instance = StartInstance(definition, businessKey, variables);

        var dto = InstanceDto(instance);
        dto["variables"] = body.TryGetProperty("withVariablesInReturn", out var withVariables) && withVariables.ValueKind == JsonValueKind.True
            ? VariablesDto(instance.Variables, null, deserialize: true)
            : null;
        return FakeResponse.Ok(dto);
    }

    private Instance StartInstance(Definition definition, string? businessKey, IReadOnlyDictionary<string, StoredVariable> variables)
    {
        var instance = new Instance(NewId(), definition, businessKey, Now());
        foreach (var (name, value) in variables)
        {
            instance.Variables[name] = value;
        }

        _instances[instance.Id] = instance;
        try
        {
            var token = new Token(NewId(), definition.Process.Start.Id);
            Leave(instance, token, definition.Process.Start);
            CompleteIfDone(instance);
        }
        catch (FakeError)
        {
            // The engine's transaction rolls back: no instance, no tasks.
            _instances.Remove(instance.Id);
            RemoveWorkOf(instance);
            throw;
        }

        return instance;
    }

    /// <summary>
    /// The running instance whose variables are asked for. The description answers 500 for one that is not running; an instance
    /// marked to end before its variables are read ends now.
    /// </summary>
    private Instance RunningForVariables(string id)
    {
        if (_instances.TryGetValue(id, out var instance) && instance.State == "ACTIVE" && _endBeforeVariablesRead.Contains(instance.Definition.Key))
        {
            End(instance, "COMPLETED");
        }

        if (instance is not { State: "ACTIVE" })
        {
            VariablesOfEndedInstancesAsked++;
            throw new FakeError(500, "ProcessEngineException", $"Process instance with id {id} does not exist");
        }

        return instance;
    }

    private Instance RequireRunning(string id) =>
        _instances.TryGetValue(id, out var instance) && instance.State == "ACTIVE"
            ? instance
            : throw FakeError.NotFound($"Process instance with id {id} does not exist");

    private FakeResponse DeleteInstance(string id, bool failIfNotExists)
    {
        if (!_instances.TryGetValue(id, out var instance) || instance.State != "ACTIVE")
        {
            return failIfNotExists ? throw FakeError.NotFound($"Process instance with id {id} does not exist") : FakeResponse.NoContent;
        }

        End(instance, "EXTERNALLY_TERMINATED");
        return FakeResponse.NoContent;
    }

    private void End(Instance instance, string state)
    {
        instance.State = state;
        instance.EndTime = Now();
        instance.Tokens.Clear();
        instance.JoinArrivals.Clear();
        RemoveWorkOf(instance);
    }

    /// <summary>Removes the instance's external tasks, user tasks and incidents.</summary>
    private void RemoveWorkOf(Instance instance)
    {
        foreach (var task in _externalTasks.Values.Where(t => t.Instance == instance).ToArray())
        {
            _externalTasks.Remove(task.Id);
        }

        foreach (var task in _userTasks.Values.Where(t => t.Instance == instance).ToArray())
        {
            _userTasks.Remove(task.Id);
        }

        foreach (var incident in _incidents.Values.Where(i => i.InstanceId == instance.Id).ToArray())
        {
            _incidents.Remove(incident.Id);
        }
    }

    // The executor

    private void Leave(Instance instance, Token token, BpmnElement element)
    {
        instance.Tokens.Remove(token);
        var outgoing = instance.Definition.Process.Outgoing(element.Id);
        for (var i = 0; i < outgoing.Count; i++)
        {
            var moving = i == 0 ? token : new Token(NewId(), element.Id);
            Arrive(instance, moving, instance.Definition.Process.Elements[outgoing[i].TargetId], outgoing[i].Id);
        }
    }

    private void Arrive(Instance instance, Token token, BpmnElement element, string? viaFlowId)
    {
        token.ElementId = element.Id;
        var process = instance.Definition.Process;
        switch (element)
        {
            case EndEvent:
                break;
            case StartEvent:
                Leave(instance, token, element);
                break;
            case UserTaskElement userTask:
                instance.Tokens.Add(token);
                var task = new UserTask(NewId(), instance, token, userTask.Id, userTask.Name, ++_sequence, Now())
                {
                    Assignee = Evaluate(instance, userTask.Assignee),
                    CandidateGroups = Evaluate(instance, userTask.CandidateGroups)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
                    Due = Evaluate(instance, userTask.DueDate) is { } due && DateTimeOffset.TryParse(due, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null,
                };
                _userTasks[task.Id] = task;
                break;
            case ExternalTaskElement external:
                instance.Tokens.Add(token);
                var externalTask = new ExternalTask(NewId(), instance, token, external.Id, external.Topic, ++_sequence);
                _externalTasks[externalTask.Id] = externalTask;
                break;
            case ExclusiveGateway gateway:
                var variables = ExpressionVariables(instance);
                SequenceFlow? chosen = null;
                foreach (var flow in process.Outgoing(gateway.Id).Where(f => f.Id != gateway.DefaultFlowId))
                {
                    if (flow.Condition is null || RunExpression(flow.Condition, () => JuelExpression.GetOrCompile(flow.Condition).EvaluateCondition(variables)))
                    {
                        chosen = flow;
                        break;
                    }
                }

                chosen ??= gateway.DefaultFlowId is { } defaultFlow ? process.Flows[defaultFlow] : null;
                if (chosen is null)
                {
                    throw new FakeError(500, "ProcessEngineException", $"ENGINE-02004 No outgoing sequence flow for the element with id '{gateway.Id}' could be selected for continuing the process.");
                }

                Arrive(instance, token, process.Elements[chosen.TargetId], chosen.Id);
                break;
            case ParallelGateway gateway:
                var incoming = process.Incoming(gateway.Id);
                if (incoming.Count > 1)
                {
                    if (!instance.JoinArrivals.TryGetValue(gateway.Id, out var arrivals))
                    {
                        instance.JoinArrivals[gateway.Id] = arrivals = [];
                    }

                    arrivals.Add(viaFlowId ?? string.Empty);
                    if (!incoming.All(f => arrivals.Contains(f.Id)))
                    {
                        break;
                    }

                    foreach (var flow in incoming)
                    {
                        arrivals.Remove(flow.Id);
                    }

                    if (arrivals.Count == 0)
                    {
                        instance.JoinArrivals.Remove(gateway.Id);
                    }
                }

                Leave(instance, new Token(NewId(), gateway.Id), gateway);
                break;
            default:
                throw new FakeError(500, "ProcessEngineException", $"The test engine cannot run {element.Describe()}.");
        }
    }

    private static string? Evaluate(Instance instance, string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !text.Contains("${", StringComparison.Ordinal))
        {
            return string.IsNullOrWhiteSpace(text) ? null : text;
        }

        var result = RunExpression(text, () => JuelExpression.GetOrCompile(text).Evaluate(ExpressionVariables(instance)));
        return result.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => result.GetString(),
            _ => result.GetRawText(),
        };
    }

    /// <summary>The variables as the Java engine's expressions see them (<see cref="StoredVariable.ToExpressionValue"/>).</summary>
    private static Dictionary<string, JsonElement> ExpressionVariables(Instance instance) =>
        instance.Variables.ToDictionary(v => v.Key, v => v.Value.ToExpressionValue(), StringComparer.Ordinal);

    /// <summary>Runs an expression; a failure is the engine's: a 500 of the request that got the process there.</summary>
    private static T RunExpression<T>(string text, Func<T> evaluate)
    {
        try
        {
            return evaluate();
        }
        catch (Exception exception) when (exception is JuelEvaluationException or JuelSyntaxException)
        {
            throw new FakeError(500, "ProcessEngineException", $"Unknown property used in expression: {text}. Cause: {exception.Message}");
        }
    }

    private void CompleteIfDone(Instance instance)
    {
        if (instance.State == "ACTIVE" && instance.Tokens.Count == 0 && instance.JoinArrivals.Count == 0)
        {
            instance.State = "COMPLETED";
            instance.EndTime = Now();
        }
    }

    private static Dictionary<string, StoredVariable> ReadVariables(JsonElement body, string property)
    {
        var result = new Dictionary<string, StoredVariable>(StringComparer.Ordinal);
        if (body.TryGetProperty(property, out var variables) && variables.ValueKind == JsonValueKind.Object)
        {
            foreach (var variable in variables.EnumerateObject())
            {
                result[variable.Name] = StoredVariable.FromDto(variable.Name, variable.Value);
            }
        }

        return result;
    }

    // External tasks

    private async Task<FakeResponse> FetchAndLockAsync(JsonElement body, CancellationToken cancellationToken)
    {
        var workerId = body.GetProperty("workerId").GetString()!;
        var maxTasks = body.GetProperty("maxTasks").GetInt32();
        var timeout = body.TryGetProperty("asyncResponseTimeout", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : 0;
        if (timeout > 1_800_000)
        {
            throw FakeError.BadRequest("The asynchronous response timeout cannot be set to a value greater than 1800000 milliseconds");
        }

        var topics = body.TryGetProperty("topics", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToDictionary(
                topic => topic.GetProperty("topicName").GetString()!,
                topic => (
                    Lock: topic.GetProperty("lockDuration").GetInt64(),
                    Variables: topic.TryGetProperty("variables", out var names) && names.ValueKind == JsonValueKind.Array ? names.EnumerateArray().Select(n => n.GetString()!).ToHashSet() : null,
                    Deserialize: topic.TryGetProperty("deserializeValues", out var d) && d.ValueKind == JsonValueKind.True),
                StringComparer.Ordinal)
            : [];
        var deadline = DateTimeOffset.UtcNow.AddMilliseconds(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var now = DateTimeOffset.UtcNow;
                var available = _externalTasks.Values
                    .Where(task => topics.ContainsKey(task.Topic) && task.Instance.State == "ACTIVE" && task.Retries is not 0)
                    .Where(task => task.LockExpiration is null || task.LockExpiration <= now || task.RedeliveriesLeft > 0)
                    .OrderBy(task => task.Sequence)
                    .Take(maxTasks)
                    .ToArray();
                if (available.Length > 0 || now >= deadline || cancellationToken.IsCancellationRequested)
                {
                    var answer = new List<Dictionary<string, object?>>();
                    foreach (var task in available)
                    {
                        var topic = topics[task.Topic];
                        if (task.LockExpiration > now && task.RedeliveriesLeft > 0)
                        {
                            task.RedeliveriesLeft--;
                            task.Redelivered?.TrySetResult();
                        }
                        else if (_redeliverOnce.Remove(task.Topic))
                        {
                            task.RedeliveriesLeft = 1;
                            task.Redelivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        }

                        task.WorkerId = workerId;
                        task.LockExpiration = now.AddMilliseconds(topic.Lock);
                        var dto = ExternalTaskDto(task, locked: true);
                        dto["variables"] = VariablesDto(task.Instance.Variables, topic.Variables, topic.Deserialize);
                        answer.Add(dto);
                    }

                    FetchSizes.Enqueue(answer.Count);
                    return FakeResponse.Ok(answer);
                }

                changed = _changed.Task;
            }

            var wait = deadline - DateTimeOffset.UtcNow;
            await Task.WhenAny(changed, Task.Delay(wait < TimeSpan.FromMilliseconds(50) ? wait.Duration() : TimeSpan.FromMilliseconds(50), CancellationToken.None));
        }
    }

    private ExternalTask RequireExternalTask(string id) =>
        _externalTasks.GetValueOrDefault(id) ?? throw FakeError.NotFound($"External task with id {id} does not exist");

    private FakeResponse CompleteExternalTask(string id, JsonElement body)
    {
        var workerId = body.GetProperty("workerId").GetString();
        if (!_externalTasks.TryGetValue(id, out var task))
        {
            RefusedCompletions.Enqueue(id);
            throw FakeError.NotFound($"External task with id {id} does not exist");
        }

        if (task.WorkerId != workerId)
        {
            RefusedCompletions.Enqueue(id);
            throw FakeError.BadUserRequest($"External Task {id} cannot be completed by worker '{workerId}'. It is locked by worker '{task.WorkerId}'.");
        }

        var variables = ReadVariables(body, "variables");
        Atomically(task.Instance, () =>
        {
            foreach (var (name, value) in variables)
            {
                task.Instance.Variables[name] = value;
            }

            _externalTasks.Remove(id);
            var element = (ExternalTaskElement)task.Instance.Definition.Process.Elements[task.ActivityId];
            if (element.EndsToken)
            {
                task.Instance.Tokens.Remove(task.Token);
            }
            else
            {
                Leave(task.Instance, task.Token, element);
            }

            CompleteIfDone(task.Instance);
        });
        Completions.Enqueue(id);
        return FakeResponse.NoContent;
    }

    private FakeResponse HandleFailure(string id, JsonElement body)
    {
        var task = RequireExternalTask(id);
        var workerId = body.GetProperty("workerId").GetString();
        if (task.WorkerId != workerId)
        {
            throw FakeError.BadUserRequest($"Failure of External Task {id} cannot be reported by worker '{workerId}'. It is locked by worker '{task.WorkerId}'.");
        }

        var retries = body.TryGetProperty("retries", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt32() : 0;
        var retryTimeout = body.TryGetProperty("retryTimeout", out var rt) && rt.ValueKind == JsonValueKind.Number ? rt.GetInt64() : 0;
        if (retries < 0 || retryTimeout < 0)
        {
            throw FakeError.BadRequest("retries and retryTimeout must not be negative");
        }

        task.Retries = retries;
        task.ErrorMessage = body.TryGetProperty("errorMessage", out var m) ? m.GetString() : null;
        task.ErrorDetails = body.TryGetProperty("errorDetails", out var d) ? d.GetString() : null;
        task.LockExpiration = DateTimeOffset.UtcNow.AddMilliseconds(retryTimeout);
        task.RedeliveriesLeft = 0;
        Failures.Enqueue(new ReportedFailure(id, task.Instance.Id, task.Topic, workerId!, retries, retryTimeout, task.ErrorMessage, DateTimeOffset.UtcNow, task.ErrorDetails));
        if (retries == 0)
        {
            RaiseIncident(task);
        }

        return FakeResponse.NoContent;
    }

    private void RaiseIncident(ExternalTask task)
    {
        var incident = new IncidentRecord(NewId(), task.Instance.Id, task.Instance.Definition.Id, task.ActivityId, "failedExternalTask", task.Id, task.ErrorMessage, Now());
        _incidents[incident.Id] = incident;
    }

    private FakeResponse ExtendLock(string id, JsonElement body)
    {
        var task = RequireExternalTask(id);
        var workerId = body.GetProperty("workerId").GetString();
        var duration = body.TryGetProperty("newDuration", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt64() : 0;
        if (task.WorkerId != workerId || task.LockExpiration is null || task.LockExpiration <= DateTimeOffset.UtcNow)
        {
            throw FakeError.BadUserRequest($"The lock of the External Task {id} cannot be extended by worker '{workerId}'");
        }

        if (duration <= 0)
        {
            throw FakeError.BadRequest("newDuration must be positive");
        }

        task.LockExpiration = DateTimeOffset.UtcNow.AddMilliseconds(duration);
        _lockExtensions[task.Instance.Id] = _lockExtensions.GetValueOrDefault(task.Instance.Id) + 1;
        return FakeResponse.NoContent;
    }

    private FakeResponse Lock(string id, JsonElement body)
    {
        var task = RequireExternalTask(id);
        var workerId = body.GetProperty("workerId").GetString();
        if (task.WorkerId is { } holder && holder != workerId && task.LockExpiration > DateTimeOffset.UtcNow)
        {
            throw FakeError.BadUserRequest($"External Task {id} is already locked by worker '{holder}'");
        }

        task.WorkerId = workerId;
        task.LockExpiration = DateTimeOffset.UtcNow.AddMilliseconds(body.GetProperty("lockDuration").GetInt64());
        return FakeResponse.NoContent;
    }

    private FakeResponse Unlock(string id)
    {
        var task = RequireExternalTask(id);
        task.WorkerId = null;
        task.LockExpiration = null;
        return FakeResponse.NoContent;
    }

    private FakeResponse SetRetries(string id, JsonElement body)
    {
        // The description gives these two statuses the other way round from the other external-task operations; so does this engine.
        var task = _externalTasks.GetValueOrDefault(id) ?? throw FakeError.BadRequest($"External task with id {id} does not exist");
        var retries = body.TryGetProperty("retries", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt32() : -1;
        if (retries < 0)
        {
            throw FakeError.NotFound("The number of retries cannot be negative or null.");
        }

        task.Retries = retries;
        if (retries > 0)
        {
            foreach (var incident in _incidents.Values.Where(i => i.Configuration == id).ToArray())
            {
                _incidents.Remove(incident.Id);
            }
        }
        else if (_incidents.Values.All(i => i.Configuration != id))
        {
            RaiseIncident(task);
        }

        return FakeResponse.NoContent;
    }

    // User tasks

    private FakeResponse CompleteUserTask(string id, JsonElement body)
    {
        if (!_userTasks.TryGetValue(id, out var task))
        {
            throw new FakeError(500, "RestException", $"Cannot complete task {id}: Cannot find task with id {id}: task is null");
        }

        var variables = ReadVariables(body, "variables");
        Atomically(task.Instance, () =>
        {
            foreach (var (name, value) in variables)
            {
                task.Instance.Variables[name] = value;
            }

            _userTasks.Remove(id);
            Leave(task.Instance, task.Token, task.Instance.Definition.Process.Elements[task.ActivityId]);
            CompleteIfDone(task.Instance);
        });
        return body.TryGetProperty("withVariablesInReturn", out var with) && with.ValueKind == JsonValueKind.True
            ? FakeResponse.Ok(VariablesDto(task.Instance.Variables, null, deserialize: true))
            : FakeResponse.NoContent;
    }

    private FakeResponse IdentityLinks(string id, string? type)
    {
        var task = _userTasks.GetValueOrDefault(id) ?? throw FakeError.BadRequest($"Cannot find task with id {id}");
        var links = new List<Dictionary<string, object?>>();
        if (task.Assignee is { } assignee)
        {
            links.Add(new() { ["userId"] = assignee, ["groupId"] = null, ["type"] = "assignee" });
        }

        links.AddRange(task.CandidateGroups.Select(g => new Dictionary<string, object?> { ["userId"] = null, ["groupId"] = g, ["type"] = "candidate" }));
        return FakeResponse.Ok(links.Where(l => type is null || (string)l["type"]! == type).ToArray());
    }

    // Answers, every property written as the Java engine's Jackson does

    private Dictionary<string, object?> DeploymentDto(Deployment deployment, IReadOnlyList<Definition> created) => new()
    {
        ["links"] = new[] { Link($"deployment/{deployment.Id}") },
        ["id"] = deployment.Id,
        ["name"] = deployment.Name,
        ["source"] = deployment.Source,
        ["deploymentTime"] = Format(deployment.Time),
        ["tenantId"] = null,
        ["deployedProcessDefinitions"] = created.Count == 0 ? null : created.ToDictionary(d => d.Id, d => (object?)DefinitionDto(d)),
        ["deployedCaseDefinitions"] = null,
        ["deployedDecisionDefinitions"] = null,
        ["deployedDecisionRequirementsDefinitions"] = null,
    };

    private static Dictionary<string, object?> DefinitionDto(Definition definition) => new()
    {
        ["id"] = definition.Id,
        ["key"] = definition.Key,
        ["category"] = "http://bpmn.io/schema/bpmn",
        ["description"] = null,
        ["name"] = definition.Name,
        ["version"] = definition.Version,
        ["resource"] = definition.Resource,
        ["deploymentId"] = definition.DeploymentId,
        ["diagram"] = null,
        ["suspended"] = false,
        ["tenantId"] = null,
        ["versionTag"] = null,
        ["historyTimeToLive"] = 180,
        ["startableInTasklist"] = true,
    };

    private Dictionary<string, object?> InstanceDto(Instance instance) => new()
    {
        ["links"] = new[] { Link($"process-instance/{instance.Id}") },
        ["id"] = instance.Id,
        ["definitionId"] = instance.Definition.Id,
        ["businessKey"] = instance.BusinessKey,
        ["caseInstanceId"] = null,
        ["ended"] = false,
        ["suspended"] = false,
        ["tenantId"] = null,
    };

    private static Dictionary<string, object?> HistoricDto(Instance instance) => new()
    {
        ["id"] = instance.Id,
        ["rootProcessInstanceId"] = instance.Id,
        ["superProcessInstanceId"] = null,
        ["superCaseInstanceId"] = null,
        ["caseInstanceId"] = null,
        ["processDefinitionName"] = instance.Definition.Name,
        ["processDefinitionKey"] = instance.Definition.Key,
        ["processDefinitionVersion"] = instance.Definition.Version,
        ["processDefinitionId"] = instance.Definition.Id,
        ["businessKey"] = instance.BusinessKey,
        ["startTime"] = Format(instance.StartTime),
        ["endTime"] = instance.EndTime is { } end ? Format(end) : null,
        ["removalTime"] = null,
        ["durationInMillis"] = instance.EndTime is { } ended ? (long)(ended - instance.StartTime).TotalMilliseconds : null,
        ["startUserId"] = null,
        ["startActivityId"] = instance.Definition.Process.Start.Id,
        ["deleteReason"] = instance.State == "EXTERNALLY_TERMINATED" ? "Deleted through engine-rest" : null,
        ["tenantId"] = null,
        ["state"] = instance.State,
    };

    private static Dictionary<string, object?> ExternalTaskDto(ExternalTask task, bool locked)
    {
        var dto = new Dictionary<string, object?>
        {
            ["activityId"] = task.ActivityId,
            ["activityInstanceId"] = $"{task.ActivityId}:{task.Token.Id}",
            ["errorMessage"] = task.ErrorMessage,
            ["executionId"] = task.Token.Id,
            ["id"] = task.Id,
            ["lockExpirationTime"] = task.LockExpiration is { } expiration ? Format(expiration) : null,
            ["processDefinitionId"] = task.Instance.Definition.Id,
            ["processDefinitionKey"] = task.Instance.Definition.Key,
            ["processDefinitionVersionTag"] = null,
            ["processInstanceId"] = task.Instance.Id,
            ["tenantId"] = null,
            ["retries"] = task.Retries,
            ["suspended"] = false,
            ["workerId"] = task.WorkerId,
            ["topicName"] = task.Topic,
            ["priority"] = 0L,
            ["businessKey"] = task.Instance.BusinessKey,
        };
        if (locked)
        {
            dto.Remove("suspended");
            dto["errorDetails"] = task.ErrorDetails;
        }

        return dto;
    }

    private static Dictionary<string, object?> UserTaskDto(UserTask task) => new()
    {
        ["id"] = task.Id,
        ["name"] = task.Name,
        ["assignee"] = task.Assignee,
        ["owner"] = null,
        ["created"] = Format(task.Created),
        ["due"] = task.Due is { } due ? Format(due) : null,
        ["followUp"] = null,
        ["delegationState"] = null,
        ["description"] = null,
        ["executionId"] = task.Token.Id,
        ["parentTaskId"] = null,
        ["priority"] = 50,
        ["processDefinitionId"] = task.Instance.Definition.Id,
        ["processInstanceId"] = task.Instance.Id,
        ["caseExecutionId"] = null,
        ["caseDefinitionId"] = null,
        ["caseInstanceId"] = null,
        ["taskDefinitionKey"] = task.ActivityId,
        ["suspended"] = false,
        ["formKey"] = null,
        ["tenantId"] = null,
    };

    private static Dictionary<string, object?> IncidentDto(IncidentRecord incident) => new()
    {
        ["id"] = incident.Id,
        ["processDefinitionId"] = incident.DefinitionId,
        ["processInstanceId"] = incident.InstanceId,
        ["executionId"] = null,
        ["incidentTimestamp"] = Format(incident.Timestamp),
        ["incidentType"] = incident.Type,
        ["activityId"] = incident.ActivityId,
        ["failedActivityId"] = incident.ActivityId,
        ["causeIncidentId"] = incident.Id,
        ["rootCauseIncidentId"] = incident.Id,
        ["configuration"] = incident.Configuration,
        ["tenantId"] = null,
        ["incidentMessage"] = incident.Message,
        ["jobDefinitionId"] = null,
        ["annotation"] = null,
    };

    private static Dictionary<string, object?> VariablesDto(IReadOnlyDictionary<string, StoredVariable> variables, IReadOnlySet<string>? names, bool deserialize) =>
        variables.Where(v => names is null || names.Contains(v.Key)).ToDictionary(v => v.Key, v => (object?)v.Value.ToDto(deserialize));

    private Dictionary<string, object?> Link(string path) => new() { ["method"] = "GET", ["href"] = $"{BaseUrl}/{path}", ["rel"] = "self" };

    /// <summary>A date as the engine writes it: milliseconds and the server's offset without a colon.</summary>
    public static string Format(DateTimeOffset value) => CamundaDateTimeConverter.Format(value.ToOffset(ServerOffset));

    private static DateTimeOffset Now() => DateTimeOffset.UtcNow;

    private static string NewId() => Guid.NewGuid().ToString();

    private void Pulse()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    /// <summary>Runs <paramref name="change"/> on the instance as one engine transaction: when it fails, the instance is as before.</summary>
    private void Atomically(Instance instance, Action change)
    {
        var state = instance.State;
        var endTime = instance.EndTime;
        var variables = new Dictionary<string, StoredVariable>(instance.Variables);
        var tokens = instance.Tokens.Select(t => (Token: t, t.ElementId)).ToArray();
        var joins = instance.JoinArrivals.ToDictionary(j => j.Key, j => j.Value.ToList());
        var externalTasks = _externalTasks.Values.Where(t => t.Instance == instance).ToArray();
        var userTasks = _userTasks.Values.Where(t => t.Instance == instance).ToArray();
        var incidents = _incidents.Values.Where(i => i.InstanceId == instance.Id).ToArray();
        try
        {
            change();
        }
        catch (FakeError)
        {
            instance.State = state;
            instance.EndTime = endTime;
            instance.Variables.Clear();
            foreach (var (name, value) in variables)
            {
                instance.Variables[name] = value;
            }

            instance.Tokens.Clear();
            foreach (var (token, elementId) in tokens)
            {
                token.ElementId = elementId;
                instance.Tokens.Add(token);
            }

            instance.JoinArrivals.Clear();
            foreach (var (gateway, arrivals) in joins)
            {
                instance.JoinArrivals[gateway] = arrivals;
            }

            RemoveWorkOf(instance);
            foreach (var task in externalTasks)
            {
                _externalTasks[task.Id] = task;
            }

            foreach (var task in userTasks)
            {
                _userTasks[task.Id] = task;
            }

            foreach (var incident in incidents)
            {
                _incidents[incident.Id] = incident;
            }

            throw;
        }
    }

    private sealed record Deployment(string Id, string? Name, string? Source, DateTimeOffset Time, IReadOnlyDictionary<string, string> Resources);

    private sealed record Definition(string Id, string Key, string? Name, int Version, string DeploymentId, string Resource, BpmnProcess Process);

    private sealed class Instance(string id, Definition definition, string? businessKey, DateTimeOffset startTime)
    {
        public string Id { get; } = id;

        public Definition Definition { get; } = definition;

        public string? BusinessKey { get; } = businessKey;

        public DateTimeOffset StartTime { get; } = startTime;

        public DateTimeOffset? EndTime { get; set; }

        public string State { get; set; } = "ACTIVE";

        public Dictionary<string, StoredVariable> Variables { get; } = new(StringComparer.Ordinal);

        public List<Token> Tokens { get; } = [];

        public Dictionary<string, List<string>> JoinArrivals { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Token(string id, string elementId)
    {
        public string Id { get; } = id;

        public string ElementId { get; set; } = elementId;
    }

    private sealed class ExternalTask(string id, Instance instance, Token token, string activityId, string topic, long sequence)
    {
        public string Id { get; } = id;

        public Instance Instance { get; } = instance;

        public Token Token { get; } = token;

        public string ActivityId { get; } = activityId;

        public string Topic { get; } = topic;

        public long Sequence { get; } = sequence;

        public string? WorkerId { get; set; }

        public DateTimeOffset? LockExpiration { get; set; }

        public int? Retries { get; set; }

        public string? ErrorMessage { get; set; }

        public string? ErrorDetails { get; set; }

        public int RedeliveriesLeft { get; set; }

        /// <summary>Set when the task was delivered the second time; its first outcome waits for that, so the two overlap.</summary>
        public TaskCompletionSource? Redelivered { get; set; }
    }

    private sealed class UserTask(string id, Instance instance, Token token, string activityId, string? name, long sequence, DateTimeOffset created)
    {
        public string Id { get; } = id;

        public Instance Instance { get; } = instance;

        public Token Token { get; } = token;

        public string ActivityId { get; } = activityId;

        public string? Name { get; } = name;

        public long Sequence { get; } = sequence;

        public DateTimeOffset Created { get; } = created;

        public string? Assignee { get; init; }

        public string[] CandidateGroups { get; init; } = [];

        public DateTimeOffset? Due { get; init; }
    }

    private sealed record IncidentRecord(string Id, string InstanceId, string DefinitionId, string ActivityId, string Type, string Configuration, string? Message, DateTimeOffset Timestamp);
}
