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
    public static string Bpmn(string processId) =>
        BpmnBuilder.Process(processId).ServiceTask("create", "create-tasks", "Create tasks").Build();

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
