namespace TaskService.Tasks;

/// <summary>
/// The form of a user task, read from the BPMN element's <c>camunda:formData</c> (Camunda Modeler: Forms, type "Generated Task
/// Forms"). Completing the user task checks the submitted variables against these fields.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.UserTaskForm")]
public sealed record UserTaskForm
{
    [Id(0)] public required IReadOnlyList<FormField> Fields { get; init; }
}
