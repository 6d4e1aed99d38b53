using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskService.Workflows;

namespace TaskService.Api.Tests;

/// <summary>A service of its own whose routing backlog holds three events and whose workflow starts wait for the test.</summary>
public sealed class BackpressureApiFactory : TaskServiceApiFactory
{
    public const int MaxBacklog = 3;

    public BackpressureApiFactory()
    {
        Overrides["TaskService:Events:MaxBacklog"] = MaxBacklog.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Overrides["TaskService:Events:RetryAfter"] = "00:00:02";
        TestServices = services => services.RemoveAll<IWorkflowEngine>().AddSingleton<IWorkflowEngine>(Engine);
    }

    public GatedWorkflowEngine Engine { get; } = new();
}
