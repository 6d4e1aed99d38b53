namespace TaskService.Ui.Tests;

/// <summary>BPMN files with diagram interchange, as Camunda Modeler writes them, for the UI tests.</summary>
public static class UiBpmn
{
    /// <summary>Start -> service task <c>CreateTasks</c> (topic create-tasks) -> end.</summary>
    public static string CreateTasks(string processId) => $$"""
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_parent" targetNamespace="http://bpmn.io/schema/bpmn">
          <bpmn:process id="{{processId}}" isExecutable="true">
            <bpmn:startEvent id="StartEvent_1" name="Event received"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
            <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="CreateTasks" />
            <bpmn:serviceTask id="CreateTasks" name="Create tasks" camunda:type="external" camunda:topic="create-tasks">
              <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
            </bpmn:serviceTask>
            <bpmn:sequenceFlow id="Flow_2" sourceRef="CreateTasks" targetRef="EndEvent_1" />
            <bpmn:endEvent id="EndEvent_1" name="Done"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
          </bpmn:process>
          <bpmndi:BPMNDiagram id="BPMNDiagram_1">
            <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="{{processId}}">
              <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1"><di:waypoint x="188" y="120" /><di:waypoint x="250" y="120" /></bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2"><di:waypoint x="350" y="120" /><di:waypoint x="412" y="120" /></bpmndi:BPMNEdge>
              <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="CreateTasks_di" bpmnElement="CreateTasks"><dc:Bounds x="250" y="80" width="100" height="80" /></bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1"><dc:Bounds x="412" y="102" width="36" height="36" /></bpmndi:BPMNShape>
            </bpmndi:BPMNPlane>
          </bpmndi:BPMNDiagram>
        </bpmn:definitions>
        """;

    /// <summary>
    /// Start -> user task <c>CheckInvoice</c> (offered to <paramref name="group"/>, form: amount, a required whole number of at most
    /// 500, and decision, approve or reject) -> exclusive gateway -> user task <c>FileInvoice</c> -> end.
    /// </summary>
    public static string Review(string processId, string group) => $$"""
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_review" targetNamespace="http://bpmn.io/schema/bpmn">
          <bpmn:process id="{{processId}}" isExecutable="true">
            <bpmn:startEvent id="StartEvent_1" name="Task created"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
            <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="CheckInvoice" />
            <bpmn:userTask id="CheckInvoice" name="Check the invoice" camunda:candidateGroups="{{group}}">
              <bpmn:extensionElements>
                <camunda:formData>
                  <camunda:formField id="amount" label="Amount" type="long">
                    <camunda:validation>
                      <camunda:constraint name="required" />
                      <camunda:constraint name="max" config="500" />
                    </camunda:validation>
                  </camunda:formField>
                  <camunda:formField id="decision" label="Decision" type="enum">
                    <camunda:value id="approve" name="Approve" />
                    <camunda:value id="reject" name="Reject" />
                    <camunda:validation><camunda:constraint name="required" /></camunda:validation>
                  </camunda:formField>
                </camunda:formData>
              </bpmn:extensionElements>
              <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
            </bpmn:userTask>
            <bpmn:sequenceFlow id="Flow_2" sourceRef="CheckInvoice" targetRef="Gateway_1" />
            <bpmn:exclusiveGateway id="Gateway_1" name="Checked"><bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:exclusiveGateway>
            <bpmn:sequenceFlow id="Flow_3" sourceRef="Gateway_1" targetRef="FileInvoice" />
            <bpmn:userTask id="FileInvoice" name="File the invoice" camunda:candidateGroups="{{group}}">
              <bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing>
            </bpmn:userTask>
            <bpmn:sequenceFlow id="Flow_4" sourceRef="FileInvoice" targetRef="EndEvent_1" />
            <bpmn:endEvent id="EndEvent_1" name="Filed"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
          </bpmn:process>
          <bpmndi:BPMNDiagram id="BPMNDiagram_1">
            <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="{{processId}}">
              <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2"><di:waypoint x="340" y="120" /><di:waypoint x="395" y="120" /></bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_3_di" bpmnElement="Flow_3"><di:waypoint x="445" y="120" /><di:waypoint x="500" y="120" /></bpmndi:BPMNEdge>
              <bpmndi:BPMNEdge id="Flow_4_di" bpmnElement="Flow_4"><di:waypoint x="600" y="120" /><di:waypoint x="652" y="120" /></bpmndi:BPMNEdge>
              <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="CheckInvoice_di" bpmnElement="CheckInvoice"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="Gateway_1_di" bpmnElement="Gateway_1" isMarkerVisible="true"><dc:Bounds x="395" y="95" width="50" height="50" /></bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="FileInvoice_di" bpmnElement="FileInvoice"><dc:Bounds x="500" y="80" width="100" height="80" /></bpmndi:BPMNShape>
              <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1"><dc:Bounds x="652" y="102" width="36" height="36" /></bpmndi:BPMNShape>
            </bpmndi:BPMNPlane>
          </bpmndi:BPMNDiagram>
        </bpmn:definitions>
        """;
}
