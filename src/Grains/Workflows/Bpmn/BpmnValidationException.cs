namespace TaskService.Workflows.Bpmn;

/// <summary>A BPMN file the embedded engine cannot run. <see cref="ElementId"/> names the element at fault, when there is one.</summary>
public sealed class BpmnValidationException(string? elementId, string message) : Exception(message)
{
    public string? ElementId { get; } = elementId;
}
