using TaskService.Mappings;
using TaskService.Serialization;
using TaskService.Workflows;

namespace TaskService.Testing;

/// <summary>
/// The smallest workflow of the event path: start, one <c>create-tasks</c> step (it creates the tasks the event lists in
/// <c>tasks.values</c>), end; deployed under a fresh process id and mapped to the given event keys.
/// </summary>
public static class CreateTasksWorkflow
{
    public static string Bpmn(string processId) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_{processId}" targetNamespace="http://bpmn.io/schema/bpmn">
          <bpmn:process id="{processId}" isExecutable="true">
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="create" />
            <bpmn:serviceTask id="create" name="Create tasks" camunda:type="external" camunda:topic="create-tasks" />
            <bpmn:sequenceFlow id="f2" sourceRef="create" targetRef="end" />
            <bpmn:endEvent id="end" />
          </bpmn:process>
        </bpmn:definitions>
        """;

    /// <summary>Deploys the workflow as <paramref name="name"/> and maps every one of <paramref name="eventKeys"/> to it; returns its process id.</summary>
    public static async Task<string> DeployAsync(IGrainFactory grains, string name, IEnumerable<string> eventKeys)
    {
        var processId = $"{name.Replace('-', '_')}_{Guid.NewGuid():N}";
        (await grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString()).CreateAsync(new NewWorkflow
        {
            Name = name,
            BpmnFile = Bpmn(processId),
            InputSchema = JsonElementFactory.Parse("{}"),
        })).OrThrow();
        foreach (var eventKey in eventKeys)
        {
            (await grains.GetGrain<IMappingsGrain>(0).AddEventMappingAsync(eventKey, processId)).OrThrow();
        }

        return processId;
    }
}
