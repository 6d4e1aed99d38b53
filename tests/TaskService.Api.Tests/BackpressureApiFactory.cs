using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskService.Workflows;

namespace TaskService.Api.Tests;

/// <summary>A service of its own whose routing backlog holds three events and whose workflow starts wait for the test.</summary>
public sealed class BackpressureApiFactory : TaskServiceApiFactory
{
    public const int MaxBacklog = 3;

    public GatedWorkflowEngine Engine { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("TaskService:Events:MaxBacklog", MaxBacklog.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("TaskService:Events:RetryAfter", "00:00:02");
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IWorkflowEngine>();
            services.AddSingleton<IWorkflowEngine>(Engine);
        });
    }
}
