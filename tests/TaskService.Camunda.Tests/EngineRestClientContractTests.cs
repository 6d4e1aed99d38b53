using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TaskService.Camunda.Tests.EngineRest;
using TaskService.Grains.Tests.Workflows;
using TaskService.Serialization;
using TaskService.Workflows.Camunda;

namespace TaskService.Camunda.Tests;

/// <summary>
/// The engine-rest client against the test endpoint, which checks each request against the official description: every
/// operation the client has is sent at least once and none breaks the description; the engine's refusals come back as
/// <see cref="CamundaRefusal"/> values, and only what is unexpected (the engine unreachable, a refusal of a call that has no such
/// outcome) is a <see cref="CamundaException"/>.
/// </summary>
public sealed class EngineRestClientContractTests : IAsyncLifetime
{
    private const string Worker = "contract-worker";

    private readonly EngineRestServer _server = new(new FakeCamunda(), ("camunda-user", "camunda-password"));

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task EveryOperationOfTheClientValidatesAgainstTheDescription()
    {
        var client = Client(_server, "camunda-user", "camunda-password");
        var (bpmn, key) = (BpmnSamples.ChildTwoUserTasks.Replace("\"child-process\"", "\"contract-process\"", StringComparison.Ordinal), "contract-process");

        // Deployments and definitions: an unchanged file deploys nothing new.
        var deployment = (await client.DeployAsync("contract", "contract.bpmn", bpmn, deployChangedOnly: true)).OrThrow();
        var definition = Assert.Single(deployment.DeployedProcessDefinitions!.Values);
        Assert.Equal((key, 1), (definition.Key, definition.Version));
        Assert.NotNull(deployment.DeploymentTime);
        var again = (await client.DeployAsync("contract", "contract.bpmn", bpmn, deployChangedOnly: true)).OrThrow();
        Assert.True(again.DeployedProcessDefinitions is null or { Count: 0 });
        Assert.Equal(definition.Id, (await client.GetProcessDefinitionByKeyAsync(key))!.Id);
        Assert.Equal(key, (await client.GetProcessDefinitionAsync(definition.Id))!.Key);
        Assert.Null(await client.GetProcessDefinitionByKeyAsync("no-such-process"));

        // Instances, by key and by id, with every kind of variable.
        var variables = CamundaVariables.FromJsonObject(JsonElementFactory.Parse("""{"s":"text","i":7,"l":5000000000,"d":1.5,"b":true,"n":null,"o":{"a":[1,2]},"taskId":"t-1"}"""), CamundaJsonVariableType.Json);
        var byKey = (await client.StartByKeyAsync(key, new CamundaStartRequest { BusinessKey = "bk-1", Variables = variables })).OrThrow();
        var byId = (await client.StartByIdAsync(definition.Id, new CamundaStartRequest { BusinessKey = "bk-2", Variables = variables, WithVariablesInReturn = true })).OrThrow();
        Assert.Equal("bk-2", byId.BusinessKey);
        Assert.Equal(byKey.Id, Assert.Single(await client.GetProcessInstancesAsync("bk-1", key)).Id);
        Assert.Equal(definition.Id, (await client.GetProcessInstanceAsync(byKey.Id))!.DefinitionId);
        var read = CamundaVariables.ToJson((await client.GetProcessInstanceVariablesAsync(byKey.Id)).Variables);
        Assert.Equal([1, 2], read["o"].GetProperty("a").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(5000000000L, read["l"].GetInt64());
        Assert.Equal("ACTIVE", Assert.Single(await client.GetHistoricProcessInstancesAsync("bk-1", key)).State);
        Assert.NotNull((await client.GetHistoricProcessInstanceAsync(byKey.Id))!.StartTime);

        // User tasks: query, candidate groups, complete with variables.
        var review = Assert.Single(await client.GetTasksAsync(byKey.Id));
        Assert.Equal(("Review\ndocument", "reviewer"), (review.Name, review.Assignee));
        Assert.Equal(new DateTimeOffset(2030, 6, 30, 17, 0, 0, TimeSpan.Zero), review.Due);
        Assert.Equal(["reviewers"], (await client.GetIdentityLinksAsync(review.Id, "candidate"))!.Select(l => l.GroupId));
        Assert.True((await client.CompleteTaskAsync(review.Id, new CamundaCompleteTask { Variables = CamundaVariables.FromJsonObject(JsonElementFactory.Parse("""{"reviewed":true}"""), CamundaJsonVariableType.Object) })).OrThrow());
        var approve = Assert.Single(await client.GetTasksAsync(byKey.Id));
        Assert.True((await client.CompleteTaskAsync(approve.Id, new CamundaCompleteTask())).OrThrow());

        // External tasks: fetch with long polling, extend, unlock, lock, fail into an incident, retry, complete.
        var fetched = await client.FetchAndLockAsync(Fetch(maxTasks: 5));
        var task = Assert.Single(fetched);
        Assert.Equal(("end-task", byKey.Id, Worker), (task.TopicName, task.ProcessInstanceId, task.WorkerId));
        Assert.True(CamundaVariables.ToJson(task.Variables)["reviewed"].GetBoolean());
        Assert.NotNull(task.LockExpirationTime);
        (await client.ExtendLockAsync(task.Id, new CamundaExtendLock { WorkerId = Worker, NewDuration = 5_000 })).OrThrow();
        (await client.UnlockAsync(task.Id)).OrThrow();
        (await client.LockAsync(task.Id, new CamundaLockExternalTask { WorkerId = Worker, LockDuration = 5_000 })).OrThrow();
        (await client.HandleFailureAsync(task.Id, new CamundaExternalTaskFailure { WorkerId = Worker, ErrorMessage = "boom", ErrorDetails = "stack", Retries = 0, RetryTimeout = 0 })).OrThrow();
        var incident = Assert.Single(await client.GetIncidentsAsync(processInstanceId: byKey.Id));
        Assert.Equal(("failedExternalTask", task.Id, "boom"), (incident.IncidentType, incident.Configuration, incident.IncidentMessage));
        Assert.Single(await client.GetIncidentsAsync(incidentId: incident.Id));
        Assert.Equal(0, Assert.Single(await client.GetExternalTasksAsync(byKey.Id)).Retries);
        Assert.Empty(await client.FetchAndLockAsync(Fetch(maxTasks: 5, longPoll: 50)));
        await client.SetExternalTaskRetriesAsync(task.Id, 1);
        var refetched = Assert.Single(await client.FetchAndLockAsync(Fetch(maxTasks: 5)));
        Assert.Equal(("boom", "stack"), (refetched.ErrorMessage, refetched.ErrorDetails));
        (await client.CompleteExternalTaskAsync(task.Id, new CamundaCompleteExternalTask { WorkerId = Worker, Variables = CamundaVariables.FromJsonObject(JsonElementFactory.Parse("""{"done":1}"""), CamundaJsonVariableType.Json) })).OrThrow();
        Assert.Null(await client.GetProcessInstanceAsync(byKey.Id));
        Assert.Equal("COMPLETED", (await client.GetHistoricProcessInstanceAsync(byKey.Id))!.State);

        // Messages: none of the deployed processes waits for one.
        var correlation = await Assert.ThrowsAsync<CamundaException>(() => client.CorrelateMessageAsync(new CamundaMessageCorrelation
        {
            MessageName = "case-opened",
            BusinessKey = "bk-2",
            ProcessVariables = variables,
            ResultEnabled = true,
        }));
        Assert.Equal(400, correlation.StatusCode);

        // Deleting: an instance (twice: the second time it is gone), then the definition with its remaining instances.
        await client.DeleteProcessInstanceAsync(byId.Id);
        await client.DeleteProcessInstanceAsync(byId.Id);
        Assert.Equal("EXTERNALLY_TERMINATED", (await client.GetHistoricProcessInstanceAsync(byId.Id))!.State);
        Assert.True((await client.DeleteProcessDefinitionAsync(definition.Id, cascade: true)).OrThrow());
        Assert.False((await client.DeleteProcessDefinitionAsync(definition.Id, cascade: true)).OrThrow());

        Assert.Empty(_server.Violations);
        Assert.Empty(_server.Unauthorized);
        Assert.Equal(ClientOperations.Order(), _server.Operations.Distinct().Order());
    }

    [Fact]
    public async Task WhatIsGoneIsReadWithTheStatusTheDescriptionGivesForEachOperation()
    {
        var client = Client(_server, "camunda-user", "camunda-password");
        var (bpmn, key) = (BpmnSamples.ChildTwoUserTasks.Replace("\"child-process\"", "\"gone-process\"", StringComparison.Ordinal), "gone-process");
        (await client.DeployAsync("gone", "gone.bpmn", bpmn, deployChangedOnly: false)).OrThrow();
        var instance = (await client.StartByKeyAsync(key, new CamundaStartRequest { BusinessKey = "gone-1" })).OrThrow();
        var review = Assert.Single(await client.GetTasksAsync(instance.Id));
        Assert.NotNull((await client.GetProcessInstanceVariablesAsync(instance.Id)).Variables);
        await client.DeleteProcessInstanceAsync(instance.Id);

        // 400 for an unknown definition (key or id).
        Assert.Null(await client.GetProcessDefinitionByKeyAsync("no-such-process"));
        Assert.Null(await client.GetProcessDefinitionAsync("no-such-definition"));

        // 500 for the variables of an instance that ended: read as "ended", with its history.
        var read = await client.GetProcessInstanceVariablesAsync(instance.Id);
        Assert.False(read.IsRunning);
        Assert.Equal("EXTERNALLY_TERMINATED", read.Ended?.State);
        Assert.False((await client.GetProcessInstanceVariablesAsync("no-such-instance")).IsRunning);

        // 400 for the identity links of a task that is gone, 500 for completing it (confirmed by a task query).
        Assert.Null(await client.GetIdentityLinksAsync(review.Id, "candidate"));
        Assert.False((await client.CompleteTaskAsync(review.Id, new CamundaCompleteTask())).OrThrow());

        // 400 for the retries of an external task that is gone.
        Assert.False(await client.SetExternalTaskRetriesAsync("no-such-task", 1));

        Assert.Equal(
            [
                ("getProcessDefinitionByKey", 400), ("getProcessDefinition", 400), ("getProcessInstanceVariables", 500),
                ("getHistoricProcessInstance", 404), ("getProcessInstance", 404), ("getIdentityLinks", 400), ("complete", 500),
                ("setExternalTaskResourceRetries", 400),
            ],
            _server.Errors.Select(e => (e.OperationId, e.Status)).Distinct());
        Assert.Empty(_server.Violations);
    }

    [Fact]
    public async Task ExternalTaskOperationsOnATaskLockedByAnotherWorkerOrGoneAreRefusedWithTheDocumentedStatus()
    {
        var client = Client(_server, "camunda-user", "camunda-password");
        _server.Engine.Deploy("external-gone", FakeCamunda.ServiceTaskProcess("external-gone", "end-task"));
        var instance = _server.Engine.Start("external-gone");
        var task = Assert.Single(await client.FetchAndLockAsync(Fetch(maxTasks: 1)));
        const string other = "another-worker";

        // Locked by this worker: another worker's complete, failure, extendLock and lock are 400s.
        var lockedByOther = new[]
        {
            await Refused(() => client.CompleteExternalTaskAsync(task.Id, new CamundaCompleteExternalTask { WorkerId = other })),
            await Refused(() => client.HandleFailureAsync(task.Id, new CamundaExternalTaskFailure { WorkerId = other, ErrorMessage = "x", Retries = 1, RetryTimeout = 0 })),
            await Refused(() => client.ExtendLockAsync(task.Id, new CamundaExtendLock { WorkerId = other, NewDuration = 5_000 })),
            await Refused(() => client.LockAsync(task.Id, new CamundaLockExternalTask { WorkerId = other, LockDuration = 5_000 })),
        };

        // The instance is canceled: every operation on its task is a 404.
        await client.DeleteProcessInstanceAsync(instance);
        var gone = new[]
        {
            await Refused(() => client.CompleteExternalTaskAsync(task.Id, new CamundaCompleteExternalTask { WorkerId = Worker })),
            await Refused(() => client.HandleFailureAsync(task.Id, new CamundaExternalTaskFailure { WorkerId = Worker, ErrorMessage = "x", Retries = 1, RetryTimeout = 0 })),
            await Refused(() => client.ExtendLockAsync(task.Id, new CamundaExtendLock { WorkerId = Worker, NewDuration = 5_000 })),
            await Refused(() => client.LockAsync(task.Id, new CamundaLockExternalTask { WorkerId = Worker, LockDuration = 5_000 })),
            await Refused(() => client.UnlockAsync(task.Id)),
        };

        Assert.All(lockedByOther, e => Assert.Equal((400, true, false), (e.Status, e.IsBadRequest, e.IsNotFound)));
        Assert.All(gone, e => Assert.Equal((404, false, true), (e.Status, e.IsBadRequest, e.IsNotFound)));
        Assert.Equal(
            [
                ("completeExternalTaskResource", 400), ("handleFailure", 400), ("extendLock", 400), ("lock", 400),
                ("completeExternalTaskResource", 404), ("handleFailure", 404), ("extendLock", 404), ("lock", 404), ("unlock", 404),
            ],
            _server.Errors.Select(e => (e.OperationId, e.Status)));
        Assert.Empty(_server.Violations);

        static async Task<CamundaRefusal> Refused(Func<Task<CamundaResult>> operation)
        {
            var refusal = (await operation()).Refusal;
            Assert.NotNull(refusal);
            return refusal;
        }
    }

    [Fact]
    public async Task EngineRefusalsAreValuesThatNameTheRequestAndTheEnginesMessage()
    {
        var client = Client(_server, "camunda-user", "camunda-password");

        var refusal = (await client.CompleteExternalTaskAsync("no-such-task", new CamundaCompleteExternalTask { WorkerId = Worker })).Refusal;

        Assert.NotNull(refusal);
        Assert.Equal((404, "InvalidRequestException"), (refusal.Status, refusal.EngineType));
        Assert.Equal("External task with id no-such-task does not exist", refusal.EngineMessage);
        Assert.Contains("POST /external-task/no-such-task/complete", refusal.Message);
        Assert.Contains("External task with id no-such-task does not exist", refusal.Message);

        // For a caller to whom the refusal is unexpected, it becomes the exception with the same words.
        var error = refusal.ToException();
        Assert.Equal((404, "InvalidRequestException", refusal.Message), (error.StatusCode, error.EngineType, error.Message));
        Assert.False(error.IsTransient);
        Assert.Empty(_server.Violations);
    }

    [Fact]
    public async Task WrongCredentialsAreRefusedAndSaySo()
    {
        var client = Client(_server, "camunda-user", "wrong");

        var error = await Assert.ThrowsAsync<CamundaException>(() => client.GetTasksAsync("any"));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains("GET /task?processInstanceId=any", error.Message);
        Assert.Single(_server.Unauthorized);
    }

    [Fact]
    public async Task AnUnreachableEngineIsATransientCamundaException()
    {
        var stopped = new EngineRestServer(new FakeCamunda());
        var client = Client(stopped, null, null);

        var error = await Assert.ThrowsAsync<CamundaException>(() => client.FetchAndLockAsync(Fetch(maxTasks: 1)));

        Assert.Null(error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.Contains("POST /external-task/fetchAndLock", error.Message);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task LongPollingWaitsForATaskAndAnswersAsSoonAsOneIsThere()
    {
        var client = Client(_server, "camunda-user", "camunda-password");
        _server.Engine.Deploy("long-poll", FakeCamunda.ServiceTaskProcess("long-poll", "end-task"));

        var polling = client.FetchAndLockAsync(Fetch(maxTasks: 1, longPoll: 10_000));
        await Task.Delay(300);
        Assert.False(polling.IsCompleted, "the engine holds the request while no task is available");
        var started = DateTimeOffset.UtcNow;
        _server.Engine.Start("long-poll");

        Assert.Single(await polling);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.Empty(_server.Violations);
    }

    /// <summary>The operations the client has, by the description's operation ids.</summary>
    private static readonly string[] ClientOperations =
    [
        "createDeployment", "getProcessDefinitionByKey", "getProcessDefinition", "deleteProcessDefinition", "startProcessInstanceByKey",
        "startProcessInstance", "getProcessInstances", "getProcessInstance", "deleteProcessInstance", "getProcessInstanceVariables",
        "getHistoricProcessInstances", "getHistoricProcessInstance", "fetchAndLock", "completeExternalTaskResource", "handleFailure",
        "extendLock", "lock", "unlock", "setExternalTaskResourceRetries", "getExternalTasks", "getTasks", "complete", "getIdentityLinks",
        "getIncidents", "deliverMessage",
    ];

    private static CamundaFetchRequest Fetch(int maxTasks, long longPoll = 1_000) => new()
    {
        WorkerId = Worker,
        MaxTasks = maxTasks,
        UsePriority = true,
        AsyncResponseTimeout = longPoll,
        Topics = [new CamundaFetchTopic { TopicName = "end-task", LockDuration = 5_000, DeserializeValues = false }],
    };

    public static CamundaClient Client(EngineRestServer server, string? user, string? password) =>
        new(new HttpClient(), Options.Create(new CamundaOptions
        {
            BaseUrl = new Uri(server.BaseUrl),
            Username = user,
            Password = password,
            RequestTimeout = TimeSpan.FromSeconds(5),
        }));
}
