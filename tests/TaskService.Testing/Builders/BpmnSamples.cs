namespace TaskService.Testing;

/// <summary>
/// BPMN files as Camunda Modeler 5.x exports them for Camunda 7 (diagram sections, modeler attributes and all), for parser
/// tests and end-to-end workflow tests.
/// </summary>
public static class BpmnSamples
{
    /// <summary>
    /// Process <c>parent-process</c>: <c>StartEvent_1</c> -> service task <c>CreateTasks</c> (external, topic <c>create-tasks</c>)
    /// -> <c>EndEvent_1</c>. Also holds a message at definitions level, documentation and an async flag, which are ignored.
    /// </summary>
    public static string ParentCreateTasks { get; } = Load("parent.bpmn");

    /// <summary>
    /// Process <c>child-process</c>: <c>StartEvent_1</c> -> user task <c>Review</c> (assignee <c>reviewer</c>, candidate groups
    /// <c>reviewers</c>, due date <c>2030-06-30T17:00:00Z</c>) -> user task <c>Approve</c> (candidate groups <c>approvers,managers</c>) ->
    /// message end event <c>EndTask</c> (external, topic <c>end-task</c>, attributes on the message event definition as
    /// Camunda Modeler 5 writes them).
    /// </summary>
    public static string ChildTwoUserTasks { get; } = Load("child.bpmn");

    /// <summary>
    /// Process <c>exclusive-gateway</c>, in a collaboration pool: <c>StartEvent_1</c> -> <c>Gateway_amount</c>; flow <c>Flow_big</c>
    /// (<c>${amount &gt; 1000 &amp;&amp; customer.tier == 'gold'}</c>) -> user task <c>ApproveBig</c> (assignee <c>ceo</c>);
    /// flow <c>Flow_medium</c> (<c>${amount &gt; 100}</c>) -> user task <c>ApproveMedium</c> (candidate groups <c>managers</c>);
    /// default flow <c>Flow_default</c> -> service task <c>AutoApprove</c> (topic <c>auto-approve</c>). All three join in
    /// <c>Gateway_merge</c> -> <c>EndEvent_1</c>. Has a lane set, a text annotation and an association, which are ignored.
    /// </summary>
    public const string ExclusiveGatewayWithDefault = """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_2gateway" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.17.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0">
          <bpmn:collaboration id="Collaboration_0approval">
            <bpmn:participant id="Participant_0approval" name="Approval" processRef="exclusive-gateway" />
          </bpmn:collaboration>
          <bpmn:process id="exclusive-gateway" name="Approve by amount" isExecutable="true" camunda:historyTimeToLive="180">
            <bpmn:laneSet id="LaneSet_0approval">
              <bpmn:lane id="Lane_office" name="Office">
                <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
                <bpmn:flowNodeRef>Gateway_amount</bpmn:flowNodeRef>
                <bpmn:flowNodeRef>ApproveBig</bpmn:flowNodeRef>
                <bpmn:flowNodeRef>ApproveMedium</bpmn:flowNodeRef>
                <bpmn:flowNodeRef>AutoApprove</bpmn:flowNodeRef>
                <bpmn:flowNodeRef>Gateway_merge</bpmn:flowNodeRef>
                <bpmn:flowNodeRef>EndEvent_1</bpmn:flowNodeRef>
              </bpmn:lane>
            </bpmn:laneSet>
            <bpmn:startEvent id="StartEvent_1" name="Request received">
              <bpmn:outgoing>Flow_0gateway</bpmn:outgoing>
            </bpmn:startEvent>
            <bpmn:exclusiveGateway id="Gateway_amount" name="Amount?" default="Flow_default">
              <bpmn:incoming>Flow_0gateway</bpmn:incoming>
              <bpmn:outgoing>Flow_big</bpmn:outgoing>
              <bpmn:outgoing>Flow_medium</bpmn:outgoing>
              <bpmn:outgoing>Flow_default</bpmn:outgoing>
            </bpmn:exclusiveGateway>
            <bpmn:sequenceFlow id="Flow_0gateway" sourceRef="StartEvent_1" targetRef="Gateway_amount" />
            <bpmn:sequenceFlow id="Flow_big" name="big, gold customer" sourceRef="Gateway_amount" targetRef="ApproveBig">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${amount &gt; 1000 &amp;&amp; customer.tier == 'gold'}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="Flow_medium" name="over 100" sourceRef="Gateway_amount" targetRef="ApproveMedium">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${amount &gt; 100}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="Flow_default" name="otherwise" sourceRef="Gateway_amount" targetRef="AutoApprove" />
            <bpmn:userTask id="ApproveBig" name="CEO approval" camunda:assignee="ceo">
              <bpmn:incoming>Flow_big</bpmn:incoming>
              <bpmn:outgoing>Flow_1merge</bpmn:outgoing>
            </bpmn:userTask>
            <bpmn:userTask id="ApproveMedium" name="Manager approval" camunda:candidateGroups="managers">
              <bpmn:incoming>Flow_medium</bpmn:incoming>
              <bpmn:outgoing>Flow_2merge</bpmn:outgoing>
            </bpmn:userTask>
            <bpmn:serviceTask id="AutoApprove" name="Approve automatically" camunda:type="external" camunda:topic="auto-approve">
              <bpmn:incoming>Flow_default</bpmn:incoming>
              <bpmn:outgoing>Flow_3merge</bpmn:outgoing>
            </bpmn:serviceTask>
            <bpmn:exclusiveGateway id="Gateway_merge">
              <bpmn:incoming>Flow_1merge</bpmn:incoming>
              <bpmn:incoming>Flow_2merge</bpmn:incoming>
              <bpmn:incoming>Flow_3merge</bpmn:incoming>
              <bpmn:outgoing>Flow_4end</bpmn:outgoing>
            </bpmn:exclusiveGateway>
            <bpmn:sequenceFlow id="Flow_1merge" sourceRef="ApproveBig" targetRef="Gateway_merge" />
            <bpmn:sequenceFlow id="Flow_2merge" sourceRef="ApproveMedium" targetRef="Gateway_merge" />
            <bpmn:sequenceFlow id="Flow_3merge" sourceRef="AutoApprove" targetRef="Gateway_merge" />
            <bpmn:endEvent id="EndEvent_1" name="Approved">
              <bpmn:incoming>Flow_4end</bpmn:incoming>
            </bpmn:endEvent>
            <bpmn:sequenceFlow id="Flow_4end" sourceRef="Gateway_merge" targetRef="EndEvent_1" />
            <bpmn:textAnnotation id="TextAnnotation_0rules">
              <bpmn:text>Limits agreed with finance</bpmn:text>
            </bpmn:textAnnotation>
            <bpmn:association id="Association_0rules" sourceRef="Gateway_amount" targetRef="TextAnnotation_0rules" />
          </bpmn:process>
          <bpmndi:BPMNDiagram id="BPMNDiagram_1">
            <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_0approval">
              <bpmndi:BPMNShape id="Participant_0approval_di" bpmnElement="Participant_0approval" isHorizontal="true">
                <dc:Bounds x="129" y="52" width="781" height="358" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="Lane_office_di" bpmnElement="Lane_office" isHorizontal="true">
                <dc:Bounds x="159" y="52" width="751" height="358" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="_BPMNShape_StartEvent_2" bpmnElement="StartEvent_1">
                <dc:Bounds x="199" y="209" width="36" height="36" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="Gateway_amount_di" bpmnElement="Gateway_amount" isMarkerVisible="true">
                <dc:Bounds x="285" y="202" width="50" height="50" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="ApproveBig_di" bpmnElement="ApproveBig">
                <dc:Bounds x="400" y="80" width="100" height="80" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="ApproveMedium_di" bpmnElement="ApproveMedium">
                <dc:Bounds x="400" y="187" width="100" height="80" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="AutoApprove_di" bpmnElement="AutoApprove">
                <dc:Bounds x="400" y="300" width="100" height="80" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="Gateway_merge_di" bpmnElement="Gateway_merge" isMarkerVisible="true">
                <dc:Bounds x="565" y="202" width="50" height="50" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
                <dc:Bounds x="682" y="209" width="36" height="36" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="TextAnnotation_0rules_di" bpmnElement="TextAnnotation_0rules">
                <dc:Bounds x="320" y="70" width="100" height="41" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNEdge id="Flow_0gateway_di" bpmnElement="Flow_0gateway">
                <di:waypoint x="235" y="227" />
                <di:waypoint x="285" y="227" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_big_di" bpmnElement="Flow_big">
                <di:waypoint x="310" y="202" />
                <di:waypoint x="310" y="120" />
                <di:waypoint x="400" y="120" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_medium_di" bpmnElement="Flow_medium">
                <di:waypoint x="335" y="227" />
                <di:waypoint x="400" y="227" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_default_di" bpmnElement="Flow_default">
                <di:waypoint x="310" y="252" />
                <di:waypoint x="310" y="340" />
                <di:waypoint x="400" y="340" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_1merge_di" bpmnElement="Flow_1merge">
                <di:waypoint x="500" y="120" />
                <di:waypoint x="590" y="120" />
                <di:waypoint x="590" y="202" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_2merge_di" bpmnElement="Flow_2merge">
                <di:waypoint x="500" y="227" />
                <di:waypoint x="565" y="227" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_3merge_di" bpmnElement="Flow_3merge">
                <di:waypoint x="500" y="340" />
                <di:waypoint x="590" y="340" />
                <di:waypoint x="590" y="252" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_4end_di" bpmnElement="Flow_4end">
                <di:waypoint x="615" y="227" />
                <di:waypoint x="682" y="227" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Association_0rules_di" bpmnElement="Association_0rules">
                <di:waypoint x="322" y="214" />
                <di:waypoint x="360" y="111" />
              </bpmndi:BPMNEdge>
            </bpmndi:BPMNPlane>
          </bpmndi:BPMNDiagram>
        </bpmn:definitions>
        """;

    /// <summary>
    /// Process <c>parallel-fork-join</c>: <c>StartEvent_1</c> -> <c>Gateway_fork</c> -> user tasks <c>CheckCredit</c> (candidate
    /// groups <c>finance</c>) and <c>CheckStock</c> (candidate groups <c>warehouse</c>) in parallel -> <c>Gateway_join</c> ->
    /// intermediate message throw event <c>NotifyCustomer</c> (external, topic <c>notify-customer</c>, attributes on the event
    /// element as older Camunda Modeler versions wrote them) -> <c>EndEvent_1</c>. Written with the <c>bpmn2</c> prefix.
    /// </summary>
    public const string ParallelForkJoin = """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn2:definitions xmlns:bpmn2="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_3parallel" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.17.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0">
          <bpmn2:process id="parallel-fork-join" name="Check order" isExecutable="true" camunda:versionTag="1.0" camunda:historyTimeToLive="P30D">
            <bpmn2:startEvent id="StartEvent_1" name="Order placed">
              <bpmn2:outgoing>Flow_0fork</bpmn2:outgoing>
            </bpmn2:startEvent>
            <bpmn2:sequenceFlow id="Flow_0fork" sourceRef="StartEvent_1" targetRef="Gateway_fork" />
            <bpmn2:parallelGateway id="Gateway_fork">
              <bpmn2:incoming>Flow_0fork</bpmn2:incoming>
              <bpmn2:outgoing>Flow_1credit</bpmn2:outgoing>
              <bpmn2:outgoing>Flow_2stock</bpmn2:outgoing>
            </bpmn2:parallelGateway>
            <bpmn2:sequenceFlow id="Flow_1credit" sourceRef="Gateway_fork" targetRef="CheckCredit" />
            <bpmn2:sequenceFlow id="Flow_2stock" sourceRef="Gateway_fork" targetRef="CheckStock" />
            <bpmn2:userTask id="CheckCredit" name="Check credit" camunda:candidateGroups="finance">
              <bpmn2:incoming>Flow_1credit</bpmn2:incoming>
              <bpmn2:outgoing>Flow_3join</bpmn2:outgoing>
            </bpmn2:userTask>
            <bpmn2:userTask id="CheckStock" name="Check stock" camunda:candidateGroups="warehouse">
              <bpmn2:incoming>Flow_2stock</bpmn2:incoming>
              <bpmn2:outgoing>Flow_4join</bpmn2:outgoing>
            </bpmn2:userTask>
            <bpmn2:sequenceFlow id="Flow_3join" sourceRef="CheckCredit" targetRef="Gateway_join" />
            <bpmn2:sequenceFlow id="Flow_4join" sourceRef="CheckStock" targetRef="Gateway_join" />
            <bpmn2:parallelGateway id="Gateway_join">
              <bpmn2:incoming>Flow_3join</bpmn2:incoming>
              <bpmn2:incoming>Flow_4join</bpmn2:incoming>
              <bpmn2:outgoing>Flow_5notify</bpmn2:outgoing>
            </bpmn2:parallelGateway>
            <bpmn2:sequenceFlow id="Flow_5notify" sourceRef="Gateway_join" targetRef="NotifyCustomer" />
            <bpmn2:intermediateThrowEvent id="NotifyCustomer" name="Notify customer" camunda:type="external" camunda:topic="notify-customer">
              <bpmn2:incoming>Flow_5notify</bpmn2:incoming>
              <bpmn2:outgoing>Flow_6end</bpmn2:outgoing>
              <bpmn2:messageEventDefinition id="MessageEventDefinition_1notify" />
            </bpmn2:intermediateThrowEvent>
            <bpmn2:sequenceFlow id="Flow_6end" sourceRef="NotifyCustomer" targetRef="EndEvent_1" />
            <bpmn2:endEvent id="EndEvent_1" name="Order checked">
              <bpmn2:incoming>Flow_6end</bpmn2:incoming>
            </bpmn2:endEvent>
          </bpmn2:process>
          <bpmndi:BPMNDiagram id="BPMNDiagram_1">
            <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="parallel-fork-join">
              <bpmndi:BPMNShape id="_BPMNShape_StartEvent_2" bpmnElement="StartEvent_1">
                <dc:Bounds x="152" y="182" width="36" height="36" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="Gateway_fork_di" bpmnElement="Gateway_fork">
                <dc:Bounds x="235" y="175" width="50" height="50" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="CheckCredit_di" bpmnElement="CheckCredit">
                <dc:Bounds x="330" y="80" width="100" height="80" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="CheckStock_di" bpmnElement="CheckStock">
                <dc:Bounds x="330" y="240" width="100" height="80" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="Gateway_join_di" bpmnElement="Gateway_join">
                <dc:Bounds x="475" y="175" width="50" height="50" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="NotifyCustomer_di" bpmnElement="NotifyCustomer">
                <dc:Bounds x="572" y="182" width="36" height="36" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
                <dc:Bounds x="662" y="182" width="36" height="36" />
              </bpmndi:BPMNShape>
              <bpmndi:BPMNEdge id="Flow_0fork_di" bpmnElement="Flow_0fork">
                <di:waypoint x="188" y="200" />
                <di:waypoint x="235" y="200" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_1credit_di" bpmnElement="Flow_1credit">
                <di:waypoint x="260" y="175" />
                <di:waypoint x="260" y="120" />
                <di:waypoint x="330" y="120" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_2stock_di" bpmnElement="Flow_2stock">
                <di:waypoint x="260" y="225" />
                <di:waypoint x="260" y="280" />
                <di:waypoint x="330" y="280" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_3join_di" bpmnElement="Flow_3join">
                <di:waypoint x="430" y="120" />
                <di:waypoint x="500" y="120" />
                <di:waypoint x="500" y="175" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_4join_di" bpmnElement="Flow_4join">
                <di:waypoint x="430" y="280" />
                <di:waypoint x="500" y="280" />
                <di:waypoint x="500" y="225" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_5notify_di" bpmnElement="Flow_5notify">
                <di:waypoint x="525" y="200" />
                <di:waypoint x="572" y="200" />
              </bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_6end_di" bpmnElement="Flow_6end">
                <di:waypoint x="608" y="200" />
                <di:waypoint x="662" y="200" />
              </bpmndi:BPMNEdge>
            </bpmndi:BPMNPlane>
          </bpmndi:BPMNDiagram>
        </bpmn2:definitions>
        """;

    /// <summary>Reads a BPMN file of <c>samples/bpmn</c>, the files the README's walk-through deploys.</summary>
    private static string Load(string fileName)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, "samples", "bpmn", fileName);
            if (File.Exists(path))
            {
                return File.ReadAllText(path);
            }
        }

        throw new FileNotFoundException($"samples/bpmn/{fileName} was not found above {AppContext.BaseDirectory}.");
    }
}
