using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskService.Workflows;

namespace TaskService.Api.Tests;

/// <summary>A service of its own whose routers route one event at a time, with an engine that fails poisoned starts.</summary>
public sealed class DeadLetterApiFactory : TaskServiceApiFactory
{
    public GatedWorkflowEngine Engine { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("TaskService:Events:MaxConcurrentRoutings", "1");
        builder.UseSetting("TaskService:Events:RoutingGracePeriod", "00:10:00");
        Engine.Open();
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IWorkflowEngine>();
            services.AddSingleton<IWorkflowEngine>(Engine);
        });
    }
}
