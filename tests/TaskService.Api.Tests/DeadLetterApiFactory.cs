using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskService.Workflows;

namespace TaskService.Api.Tests;

/// <summary>A service of its own whose routers route one event at a time, with an engine that fails poisoned starts.</summary>
public sealed class DeadLetterApiFactory : TaskServiceApiFactory
{
    public DeadLetterApiFactory()
    {
        Overrides["TaskService:Events:MaxConcurrentRoutings"] = "1";
        Overrides["TaskService:Events:RoutingGracePeriod"] = "00:10:00";
        Engine.Open();
        TestServices = services => services.RemoveAll<IWorkflowEngine>().AddSingleton<IWorkflowEngine>(Engine);
    }

    public GatedWorkflowEngine Engine { get; } = new();
}
