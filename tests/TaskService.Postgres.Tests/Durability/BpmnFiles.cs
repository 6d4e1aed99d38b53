namespace TaskService.Postgres.Tests.Durability;

/// <summary>The BPMN samples of <c>samples/bpmn</c>, each deployed under a process id no other test uses.</summary>
public static class BpmnFiles
{
    /// <summary>Starts, runs <c>create-tasks</c> with the variable <c>tasks</c>, ends.</summary>
    public static (string Bpmn, string ProcessId) Parent() => WithFreshProcessId("parent.bpmn", "parent-process");

    /// <summary>Two user tasks (Review, Approve) in a row, then the <c>end-task</c> message end event.</summary>
    public static (string Bpmn, string ProcessId) Child() => WithFreshProcessId("child.bpmn", "child-process");

    private static (string Bpmn, string ProcessId) WithFreshProcessId(string file, string processId)
    {
        var bpmn = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "samples", "bpmn", file));
        var fresh = $"{processId}-{Guid.NewGuid():N}";
        Assert.Contains($"\"{processId}\"", bpmn);
        return (bpmn.Replace($"\"{processId}\"", $"\"{fresh}\"", StringComparison.Ordinal), fresh);
    }
}
