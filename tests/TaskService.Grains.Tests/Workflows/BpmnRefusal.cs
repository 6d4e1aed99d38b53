using TaskService.Errors;
using TaskService.Workflows.Bpmn;

namespace TaskService.Grains.Tests.Workflows;

/// <summary>A BPMN file the parser refused: the element its problem names (null for the file as a whole) and the problem's text.</summary>
internal sealed record BpmnRefusal(string? ElementId, string Message)
{
    /// <summary>The refusal in <paramref name="parsed"/>; fails the test when the file was accepted.</summary>
    public static BpmnRefusal Of(Outcome<IReadOnlyList<BpmnProcess>> parsed)
    {
        var problem = Assert.IsType<Problem>(parsed.Problem);
        Assert.Equal(TaskServiceErrorKind.Invalid, problem.Kind);
        Assert.Equal(BpmnProblem.Field, problem.Target);
        return new BpmnRefusal(BpmnProblem.ElementOf(problem), problem.Detail);
    }
}
