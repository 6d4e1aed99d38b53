namespace TaskService.Camunda.Tests.Hosting;

/// <summary>
/// A single-node TaskService with its defaults, the embedded engine among them, beside the Camunda-configured one: the same
/// requests go to both, so that their outcomes can be compared.
/// </summary>
public sealed class EmbeddedEngineFactory : TaskService.Testing.TaskServiceApiFactory
{
    public EmbeddedEngineFactory()
    {
        Overrides["TaskService:Workflows:Engine"] = "embedded";
    }
}
