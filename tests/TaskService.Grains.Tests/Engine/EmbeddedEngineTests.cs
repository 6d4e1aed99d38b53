using System.Text.Json;
using TaskService.Errors;
using TaskService.Serialization;
using TaskService.Workflows;

namespace TaskService.Grains.Tests.Engine;

[Collection(ClusterCollection.Name)]
public sealed class EmbeddedEngineTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("""{"order":{"amount":5000,"rush":false},"customer":{"tier":"silver","vip":false,"manager":"ann"}}""", "approve")]
    [InlineData("""{"order":{"amount":5000,"rush":true},"customer":{"tier":"gold","vip":false,"manager":"ann"}}""", "welcome")]
    [InlineData("""{"order":{"amount":10,"rush":false},"customer":{"tier":"silver","vip":true,"manager":"ann"}}""", "welcome")]
    [InlineData("""{"order":{"amount":10,"rush":false},"customer":{"tier":"silver","vip":false,"manager":"ann"}}""", "review")]
    public async Task AnExclusiveGatewayRoutesByThePayloadAndTakesTheDefaultFlowWhenNoConditionHolds(string payload, string expectedUserTask)
    {
        var details = await ExecuteAsync(Bpmn.Routing(NewProcessId()), payload);

        var userTask = Assert.Single(details.UserTasks);
        Assert.Equal(expectedUserTask, userTask.ElementId);
        Assert.Equal([expectedUserTask], details.ActiveElements.Select(e => e.ElementId));
        if (expectedUserTask == "approve")
        {
            Assert.Equal("ann", userTask.Assignee);
            Assert.Equal(["finance", "sales"], userTask.CandidateGroups);
            Assert.Equal(new DateTimeOffset(2030, 1, 31, 12, 0, 0, TimeSpan.Zero), userTask.DueDate);
        }
    }

    [Fact]
    public async Task AParallelGatewayCreatesTwoUserTasksAtOnceAndJoinsAfterBothComplete()
    {
        var details = await ExecuteAsync(Bpmn.Parallel(NewProcessId()), "{}");
        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(details.Instance.Id);
        Assert.Equal(["finance", "legal"], details.UserTasks.Select(u => u.ElementId).Order());

        details = (await instance.CompleteUserTaskAsync(details.UserTasks.Single(u => u.ElementId == "legal").Id, null)).OrThrow();
        Assert.DoesNotContain(details.UserTasks, u => u.ElementId == "sign");
        Assert.Contains(details.ActiveElements, e => e.ElementId == "join");

        details = (await instance.CompleteUserTaskAsync(details.UserTasks.Single(u => u.ElementId == "finance").Id, null)).OrThrow();
        var sign = Assert.Single(details.UserTasks, u => !u.Completed);
        Assert.Equal("sign", sign.ElementId);

        details = (await instance.CompleteUserTaskAsync(sign.Id, JsonElementFactory.Parse("""{"signedBy":"bo"}"""))).OrThrow();
        Assert.Equal(WorkflowInstanceStatus.Completed, details.Instance.Status);
        Assert.Equal("bo", details.Variables.GetProperty("signedBy").GetString());
    }

    [Fact]
    public async Task ACommandThatThrowsTwiceThenSucceedsCompletesTheStepOnce()
    {
        var script = NewScript(new ScriptedCommand.Script { FailTimes = 2 }, out var scriptKey);
        var details = await ExecuteAsync(Bpmn.Scripted(NewProcessId()), $$"""{"script":"{{scriptKey}}"}""");
        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(details.Instance.Id);

        details = await UntilAsync(instance, d => d.UserTasks.Any(u => u.ElementId == "after"), "the step after the command is reached");

        Assert.Equal(3, script.Calls);
        Assert.Equal(3, details.Variables.GetProperty("scriptedRuns").GetInt32());
        Assert.Empty(details.Incidents);
        Assert.Empty(details.ExternalTasks);
        Assert.Single(details.UserTasks);
    }

    [Fact]
    public async Task ACommandThatAlwaysThrowsLeavesAnIncidentAndRetryingItAfterTheFixResumesTheInstance()
    {
        var script = NewScript(new ScriptedCommand.Script { AlwaysFail = true }, out var scriptKey);
        var details = await ExecuteAsync(Bpmn.Scripted(NewProcessId()), $$"""{"script":"{{scriptKey}}"}""");
        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(details.Instance.Id);

        details = await UntilAsync(instance, d => d.Incidents.Count > 0, "an incident is raised");
        var incident = Assert.Single(details.Incidents);
        Assert.Equal("run", incident.ElementId);
        Assert.Contains("scripted failure", incident.Message);
        Assert.Contains("scripted failure", incident.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), incident.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", incident.Details, StringComparison.Ordinal); // no stack frames
        Assert.DoesNotContain(".cs", incident.Details, StringComparison.Ordinal); // no source paths
        Assert.Equal(4, script.Calls); // the first attempt and three retries
        Assert.Equal(1, details.Instance.Incidents);
        Assert.Equal(WorkflowInstanceStatus.Active, details.Instance.Status);
        Assert.Null(Assert.Single(details.ExternalTasks).NextAttemptAt);

        script.AlwaysFail = false;
        await instance.RetryIncidentAsync(incident.Id);
        details = await UntilAsync(instance, d => d.UserTasks.Any(u => u.ElementId == "after"), "the instance resumes after the retry");
        Assert.Empty(details.Incidents);
        Assert.Equal(5, script.Calls);
    }

    [Fact]
    public async Task AnExternalTaskWithoutACommandWaitsOpenUntilCompletedFromOutside()
    {
        var details = await ExecuteAsync(Bpmn.Unhandled(NewProcessId(), "nobody-handles-this"), "{}");
        var external = Assert.Single(details.ExternalTasks);
        Assert.False(external.HasCommand);
        Assert.Equal("nobody-handles-this", external.Topic);

        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(details.Instance.Id);
        details = (await instance.CompleteExternalTaskAsync(external.Id, JsonElementFactory.Parse("""{"done":true}"""))).OrThrow();
        Assert.Equal(WorkflowInstanceStatus.Completed, details.Instance.Status);
    }

    [Fact]
    public async Task AnApplicationsOwnCommandSetsAVariableThatALaterStepUses()
    {
        var customer = Guid.NewGuid().ToString("N");
        var details = await ExecuteAsync(Bpmn.ReadThenCreate(NewProcessId()), $$"""{"customer":"{{customer}}"}""");
        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(details.Instance.Id);

        details = await UntilAsync(instance, d => d.Instance.Status == WorkflowInstanceStatus.Completed, "read-data and create-tasks ran");

        Assert.Equal(2, details.Variables.GetProperty("tasks").GetProperty("values").GetArrayLength());
        Assert.Equal(2, details.Variables.GetProperty("createdTaskIds").GetArrayLength());
        var query = fixture.Grains.GetGrain<TaskService.Queries.IQueryGrain>(0);
        var where = TaskService.Queries.FilterParser.ParseWhere($$$"""{"key":{"inq":["onboard-{{{customer}}}","welcome-{{{customer}}}"]}}""", TaskService.Queries.EntitySchemas.Task).OrThrow();
        Assert.Equal(2, await query.CountAsync(TaskService.Queries.EntityKind.Task, where));
    }

    [Fact]
    public async Task CancelingAnInstanceEndsItAndRefusesFurtherSteps()
    {
        var details = await ExecuteAsync(Bpmn.Parallel(NewProcessId()), "{}");
        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(details.Instance.Id);
        await instance.CancelAsync("test");

        var after = await instance.GetAsync();
        Assert.Equal(WorkflowInstanceStatus.Canceled, after!.Instance.Status);
        Assert.Empty(after.ActiveElements);
        var error = (await instance.CompleteUserTaskAsync(details.UserTasks[0].Id, null)).Problem;
        Assert.Equal(TaskServiceErrorKind.Conflict, error?.Kind);
    }

    [Fact]
    public async Task ACreateTasksStepOverTheTaskLimitBecomesAnIncidentAndCreatesNothing()
    {
        var limit = new TaskService.Common.LimitsOptions().MaxTasksPerCommand;
        var keyPrefix = $"over-{Guid.NewGuid():N}-";
        var values = string.Join(",", Enumerable.Range(0, limit + 1).Select(i => $$"""{"key":"{{keyPrefix}}{{i}}"}"""));
        var details = await ExecuteAsync(Bpmn.Unhandled(NewProcessId(), "create-tasks"), "{\"tasks\":{\"values\":[" + values + "]}}");
        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(details.Instance.Id);

        details = await UntilAsync(instance, d => d.Incidents.Count > 0, "the create-tasks step raises an incident");

        var incident = Assert.Single(details.Incidents);
        Assert.Equal("wait", incident.ElementId);
        Assert.Contains($"lists {limit + 1} tasks", incident.Message, StringComparison.Ordinal);
        Assert.Contains("MaxTasksPerCommand", incident.Message, StringComparison.Ordinal);
        Assert.Equal(WorkflowInstanceStatus.Active, details.Instance.Status);
        var query = fixture.Grains.GetGrain<TaskService.Queries.IQueryGrain>(0);
        var where = TaskService.Queries.FilterParser.ParseWhere($$$"""{"key":{"like":"{{{keyPrefix}}}%"}}""", TaskService.Queries.EntitySchemas.Task).OrThrow();
        Assert.Equal(0, await query.CountAsync(TaskService.Queries.EntityKind.Task, where));
    }

    [Fact]
    public async Task StartingAnInstanceWithVariablesThatAreNotAnObjectIsAnInvalidAnswerThatNothingThrowsAndStartsNothing()
    {
        var workflow = fixture.Grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString());
        var created = (await workflow.CreateAsync(new NewWorkflow { Name = "test", BpmnFile = Bpmn.Parallel(NewProcessId()), InputSchema = JsonElementFactory.Parse("{}") })).OrThrow();
        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>($"not-an-object-{Guid.NewGuid():N}");

        using var thrown = new ThrownByTaskService();
        var started = await instance.StartAsync(new WorkflowStartRequest
        {
            WorkflowId = created.Id,
            Version = created.WorkflowVersion,
            Variables = JsonElementFactory.Parse("[1, 2]"),
        });

        Assert.Equal(TaskServiceErrorKind.Invalid, started.Problem?.Kind);
        Assert.Equal("variables", started.Problem?.Target);
        Assert.Empty(thrown.Thrown);
        Assert.Null(await instance.GetAsync());
    }

    private async Task<WorkflowInstanceDetails> ExecuteAsync(string bpmn, string input)
    {
        var workflow = fixture.Grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString());
        (await workflow.CreateAsync(new NewWorkflow { Name = "test", BpmnFile = bpmn, InputSchema = JsonElementFactory.Parse("{}") })).OrThrow();
        return (await workflow.ExecuteAsync(JsonElementFactory.Parse(input), null)).OrThrow();
    }

    /// <summary>The instance's details once <paramref name="condition"/> holds for them (they exist once the instance started).</summary>
    private static async Task<WorkflowInstanceDetails> UntilAsync(IWorkflowInstanceGrain instance, Func<WorkflowInstanceDetails, bool> condition, string what) =>
        (await Eventually.ReturnsAsync(instance.GetAsync, d => d is not null && condition(d), Deadline, what))!;

    private static ScriptedCommand.Script NewScript(ScriptedCommand.Script script, out string key)
    {
        key = Guid.NewGuid().ToString("N");
        ScriptedCommand.Scripts[key] = script;
        return script;
    }

    private static string NewProcessId() => $"p_{Guid.NewGuid():N}";
}
