namespace TaskService.Grains.Tests.Engine;

/// <summary>Small BPMN files in the shape Camunda Modeler writes them, for engine tests.</summary>
internal static class Bpmn
{
    /// <summary>start -> serviceTask(scripted) -> userTask "After" -> end.</summary>
    public static string Scripted(string processId) => BpmnBuilder.Process(processId)
        .ServiceTask("run", "scripted", "Run script")
        .UserTask("after", "After")
        .Build();

    /// <summary>An exclusive gateway on the payload: amount > 1000 goes to "Approve", tier 'gold' to "Welcome", else default "Review".</summary>
    public static string Routing(string processId) => BpmnBuilder.ProcessOf(processId, """
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="route" />
            <bpmn:exclusiveGateway id="route" default="toReview" />
            <bpmn:sequenceFlow id="toApprove" sourceRef="route" targetRef="approve">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${order.amount &gt; 1000 and not order.rush}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="toWelcome" sourceRef="route" targetRef="welcome">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${customer.tier == 'gold' || customer.vip}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="toReview" sourceRef="route" targetRef="review" />
            <bpmn:userTask id="approve" name="Approve" camunda:assignee="${customer.manager}" camunda:candidateGroups="finance, sales" camunda:dueDate="2030-01-31T12:00:00Z" />
            <bpmn:userTask id="welcome" name="Welcome" />
            <bpmn:userTask id="review" name="Review" />
            <bpmn:sequenceFlow id="f1" sourceRef="approve" targetRef="end" />
            <bpmn:sequenceFlow id="f2" sourceRef="welcome" targetRef="end" />
            <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
            <bpmn:endEvent id="end" />
        """);

    /// <summary>A parallel fork into two user tasks and a join before a last user task.</summary>
    public static string Parallel(string processId) => BpmnBuilder.ProcessOf(processId, """
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
            <bpmn:parallelGateway id="fork" />
            <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="legal" />
            <bpmn:sequenceFlow id="fb" sourceRef="fork" targetRef="finance" />
            <bpmn:userTask id="legal" name="Legal check" />
            <bpmn:userTask id="finance" name="Finance check" />
            <bpmn:sequenceFlow id="fa2" sourceRef="legal" targetRef="join" />
            <bpmn:sequenceFlow id="fb2" sourceRef="finance" targetRef="join" />
            <bpmn:parallelGateway id="join" />
            <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="sign" />
            <bpmn:userTask id="sign" name="Sign" />
            <bpmn:sequenceFlow id="f10" sourceRef="sign" targetRef="end" />
            <bpmn:endEvent id="end" />
        """);

    /// <summary>start -> serviceTask of a topic no command handles -> end.</summary>
    public static string Unhandled(string processId, string topic) =>
        BpmnBuilder.Process(processId).ServiceTask("wait", topic, "Wait for a worker").Build();

    /// <summary>start -> read-data (sets <c>tasks</c>) -> create-tasks -> end.</summary>
    public static string ReadThenCreate(string processId) => BpmnBuilder.Process(processId)
        .ServiceTask("read", "read-data", "Read data")
        .ServiceTask("create", "create-tasks", "Create tasks")
        .Build();
}
