using TaskService.Errors;

namespace TaskService.Workflows.Bpmn;

/// <summary>
/// A BPMN file the embedded engine cannot run, as a problem (400) on <c>bpmnFile</c>: the detail names the element at fault
/// and how to fix it, and the <c>errors</c> entry is keyed <c>bpmnFile/{element id}</c> (or <c>bpmnFile</c> for the file as a whole).
/// </summary>
public static class BpmnProblem
{
    /// <summary>The request field a BPMN file arrives in.</summary>
    public const string Field = "bpmnFile";

    private const string ElementPrefix = Field + "/";

    /// <summary>The problem with element <paramref name="elementId"/> (null for the file as a whole).</summary>
    public static Problem At(string? elementId, string message)
    {
        var detail = elementId is { } id && !message.Contains(id, StringComparison.Ordinal) ? $"Element '{id}': {message}" : message;
        return new Problem(TaskServiceErrorKind.Invalid, detail, Field,
            new Dictionary<string, string[]> { [elementId is null ? Field : ElementPrefix + elementId] = [detail] });
    }

    /// <summary>The id of the element a problem made by <see cref="At"/> is about; null for the file as a whole.</summary>
    public static string? ElementOf(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return problem.Errors?.Keys.FirstOrDefault(k => k.StartsWith(ElementPrefix, StringComparison.Ordinal)) is { } key
            ? key[ElementPrefix.Length..]
            : null;
    }
}
