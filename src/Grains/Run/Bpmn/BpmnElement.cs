namespace TaskService.Workflows.Bpmn;

/// <summary>A flow node of an executable process, as the embedded engine runs it.</summary>
public abstract record BpmnElement(string Id, string? Name)
{
    /// <summary>How error messages name the element, for example <c>userTask 'Approve' (id approve)</c>.</summary>
    public abstract string Kind { get; }

    public string Describe() => Name is { Length: > 0 } name ? $"{Kind} '{name}' (id {Id})" : $"{Kind} (id {Id})";
}

/// <summary>Where a token starts. A process has exactly one none start event.</summary>
public sealed record StartEvent(string Id, string? Name) : BpmnElement(Id, Name)
{
    public override string Kind => "startEvent";
}

/// <summary>A plain end event: the token ends here.</summary>
public sealed record EndEvent(string Id, string? Name) : BpmnElement(Id, Name)
{
    public override string Kind => "endEvent";
}

/// <summary>Where an external-task command runs.</summary>
public enum ExternalTaskElementKind
{
    /// <summary><c>serviceTask camunda:type="external"</c>: the token continues after the command.</summary>
    ServiceTask,

    /// <summary><c>intermediateThrowEvent</c> with a message event definition of <c>camunda:type="external"</c>: the token continues.</summary>
    IntermediateThrowEvent,

    /// <summary><c>endEvent</c> with a message event definition of <c>camunda:type="external"</c>: the token ends after the command.</summary>
    MessageEndEvent,
}

/// <summary>An element that waits for the command registered for <see cref="Topic"/> (external task).</summary>
public sealed record ExternalTaskElement(string Id, string? Name, ExternalTaskElementKind ElementKind, string Topic) : BpmnElement(Id, Name)
{
    public override string Kind => ElementKind switch
    {
        ExternalTaskElementKind.ServiceTask => "serviceTask",
        ExternalTaskElementKind.IntermediateThrowEvent => "intermediateThrowEvent",
        _ => "endEvent",
    };

    public bool EndsToken => ElementKind == ExternalTaskElementKind.MessageEndEvent;
}

/// <summary>
/// A user task. <see cref="Assignee"/>, <see cref="CandidateGroups"/> and <see cref="DueDate"/> are the raw attribute values;
/// each may be a <c>${...}</c> expression evaluated when the task is reached.
/// </summary>
public sealed record UserTaskElement(string Id, string? Name, string? Assignee, string? CandidateGroups, string? DueDate) : BpmnElement(Id, Name)
{
    public override string Kind => "userTask";

    /// <summary>The form (<c>camunda:formData</c>) completing the user task is checked against; null when none.</summary>
    public TaskService.Tasks.UserTaskForm? Form { get; init; }
}

/// <summary>Takes the first outgoing flow whose condition holds (in document order), else the default flow.</summary>
public sealed record ExclusiveGateway(string Id, string? Name, string? DefaultFlowId) : BpmnElement(Id, Name)
{
    public override string Kind => "exclusiveGateway";
}

/// <summary>Forks a token onto every outgoing flow; joins by waiting for a token on every incoming flow.</summary>
public sealed record ParallelGateway(string Id, string? Name) : BpmnElement(Id, Name)
{
    public override string Kind => "parallelGateway";
}
