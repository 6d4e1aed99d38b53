using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TaskService.Commands;
using TaskService.Serialization;
using TaskService.Workflows;
using TaskService.Workflows.Bpmn;
using TaskService.Workflows.Embedded;

namespace TaskService.Grains.Tests.Workflows;

/// <summary>The embedded engine's token movement, run on its own: no grain, no store, no silo.</summary>
public sealed class EmbeddedInstanceTests
{
    private const string Xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
          <bpmn:process id="review" isExecutable="true">
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
            <bpmn:parallelGateway id="fork" />
            <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="check" />
            <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="notify" />
            <bpmn:userTask id="check" name="Check" camunda:assignee="${owner}" camunda:candidateGroups="reviewers, leads" />
            <bpmn:serviceTask id="notify" camunda:type="external" camunda:topic="notify" />
            <bpmn:sequenceFlow id="f4" sourceRef="check" targetRef="join" />
            <bpmn:sequenceFlow id="f5" sourceRef="notify" targetRef="join" />
            <bpmn:parallelGateway id="join" />
            <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="decide" />
            <bpmn:exclusiveGateway id="decide" default="rejected-flow" />
            <bpmn:sequenceFlow id="approved-flow" sourceRef="decide" targetRef="approved">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${approved}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="rejected-flow" sourceRef="decide" targetRef="rejected" />
            <bpmn:endEvent id="approved" />
            <bpmn:endEvent id="rejected" />
          </bpmn:process>
        </bpmn:definitions>
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TokensForkWaitAtTheUserTaskAndTheExternalTaskJoinAndEndByTheGatewaysChoice(bool approved)
    {
        var instance = Start("""{"owner": "ann"}""");

        // The fork left one token waiting at each branch.
        var userTask = Assert.Single(instance.State.UserTasks);
        var externalTask = Assert.Single(instance.State.ExternalTasks);
        Assert.Equal(("check", "ann"), (userTask.ElementId, userTask.Assignee));
        Assert.Equal(["reviewers", "leads"], userTask.CandidateGroups);
        Assert.Equal(("notify", "notify"), (externalTask.ElementId, externalTask.Topic));
        Assert.Equal(2, instance.State.Tokens.Count);

        // One branch done: its token waits at the join, and the instance is not done.
        instance.FinishExternalTask(externalTask);
        Assert.Empty(instance.State.ExternalTasks);
        Assert.Equal(["f5"], instance.State.JoinArrivals["join"]);
        instance.CompleteIfDone();
        Assert.Equal(WorkflowInstanceStatus.Active, instance.State.Status);

        // The other branch: the join passes, the exclusive gateway chooses, the token ends.
        Assert.Null(instance.MergeVariables(JsonElementFactory.Parse($$"""{"approved": {{(approved ? "true" : "false")}}}"""), "variables"));
        userTask.Completed = true;
        instance.Leave(instance.State.Tokens.Single(t => t.Id == userTask.TokenId), instance.Process.Elements["check"]);
        instance.CompleteIfDone();

        Assert.Empty(instance.State.Tokens);
        Assert.Empty(instance.State.JoinArrivals);
        Assert.Empty(instance.State.Incidents);
        Assert.Equal(WorkflowInstanceStatus.Completed, instance.State.Status);
    }

    [Fact]
    public void AGatewayWhoseConditionCannotBeEvaluatedHoldsItsTokenWithAnIncident()
    {
        var instance = Start("""{"owner": "ann"}""");
        instance.FinishExternalTask(Assert.Single(instance.State.ExternalTasks));
        var userTask = Assert.Single(instance.State.UserTasks);

        // No variable "approved": the condition cannot be evaluated, so the token stays at the gateway.
        instance.Leave(instance.State.Tokens.Single(t => t.Id == userTask.TokenId), instance.Process.Elements["check"]);
        instance.CompleteIfDone();

        var incident = Assert.Single(instance.State.Incidents);
        Assert.Equal("decide", incident.ElementId);
        Assert.Equal("decide", Assert.Single(instance.State.Tokens).ElementId);
        Assert.Equal(WorkflowInstanceStatus.Active, instance.State.Status);
    }

    [Fact]
    public void IdsDeriveFromTheInstanceAndItsSequenceSoARunFromTheSameStateMakesTheSameIds()
    {
        var first = Start("""{"owner": "ann"}""");
        var second = Start("""{"owner": "ann"}""");

        Assert.Equal(first.State.UserTasks.Single().Id, second.State.UserTasks.Single().Id);
        Assert.Equal(first.State.ExternalTasks.Single().Id, second.State.ExternalTasks.Single().Id);
        Assert.Equal(first.State.Sequence, second.State.Sequence);
    }

    [Theory]
    [InlineData("""
        <startEvent id="start" /><sequenceFlow id="f1" sourceRef="start" targetRef="choose" />
        <exclusiveGateway id="choose" /><sequenceFlow id="f2" sourceRef="choose" targetRef="fork" />
        <parallelGateway id="fork" /><sequenceFlow id="f3" sourceRef="fork" targetRef="choose" />
        """)]
    [InlineData("""
        <startEvent id="start" /><sequenceFlow id="f1" sourceRef="start" targetRef="choose" />
        <exclusiveGateway id="choose" /><sequenceFlow id="f2" sourceRef="choose" targetRef="fork" />
        <parallelGateway id="fork" />
        <sequenceFlow id="f3" sourceRef="fork" targetRef="choose" />
        <sequenceFlow id="f4" sourceRef="fork" targetRef="again" />
        <exclusiveGateway id="again" /><sequenceFlow id="f5" sourceRef="again" targetRef="choose" />
        """)]
    public void ATokenLoopingThroughGatewaysIsHeldWithOneIncidentInsteadOfRunningForever(string loop)
    {
        // Without a bound the first loop overflows the stack (which ends the silo) and the second forks without end.
        var instance = Start("{}", Definitions(loop));

        var incident = Assert.Single(instance.State.Incidents);
        Assert.Contains("loops through gateways", incident.Message, StringComparison.Ordinal);
        Assert.NotEmpty(instance.State.Tokens);
        instance.CompleteIfDone();
        Assert.Equal(WorkflowInstanceStatus.Active, instance.State.Status);
    }

    [Fact]
    public void ALongChainOfGatewaysWithinTheBoundRunsToItsEnd()
    {
        const int Gateways = EmbeddedInstance.MaxPassesPerStep - 1;
        var chain = new System.Text.StringBuilder("""<startEvent id="start" /><sequenceFlow id="f0" sourceRef="start" targetRef="g1" />""");
        for (var i = 1; i <= Gateways; i++)
        {
            var next = i == Gateways ? "end" : $"g{i + 1}";
            chain.Append(i % 2 == 0 ? $"""<exclusiveGateway id="g{i}" />""" : $"""<parallelGateway id="g{i}" />""")
                .Append($"""<sequenceFlow id="f{i}" sourceRef="g{i}" targetRef="{next}" />""");
        }

        var instance = Start("{}", Definitions(chain.Append("""<endEvent id="end" />""").ToString()));

        Assert.Empty(instance.State.Incidents);
        instance.CompleteIfDone();
        Assert.Equal(WorkflowInstanceStatus.Completed, instance.State.Status);
    }

    private static string Definitions(string process) =>
        $"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" isExecutable="true">{process}</process></definitions>""";

    private static EmbeddedInstance Start(string variables, string xml = Xml)
    {
        var process = Assert.Single(BpmnParser.Parse(xml).OrThrow());
        var instance = new EmbeddedInstance("instance-1", new CommandRegistry([]), new WorkflowEngineOptions(), TimeProvider.System, NullLogger.Instance) { Process = process };
        instance.State.WorkflowId = "workflow-1";
        instance.State.ProcessId = process.Id;
        instance.State.Status = WorkflowInstanceStatus.Active;
        Assert.Null(instance.MergeVariables(JsonElementFactory.Parse(variables), "variables"));
        instance.Leave(instance.NewToken(process.Start.Id), process.Start);
        return instance;
    }
}
