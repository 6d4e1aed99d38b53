namespace TaskService.Workflows;

/// <summary>The engines a workflow can be deployed to.</summary>
public static class WorkflowProviders
{
    public const string Embedded = "embedded";
    public const string Camunda = "camunda";
}
