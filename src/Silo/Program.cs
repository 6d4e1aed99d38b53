using TaskService.Gateway;
using TaskService.Hosting;

namespace TaskService.Silo;

/// <summary>
/// A TaskService silo. On the embedded defaults (no configuration) it is a single node with localhost clustering and memory
/// providers that also serves the HTTP API.
/// </summary>
public sealed class Program
{
    public static async Task<int> Main(string[] args)
    {
        var app = Build(args);
        await app.RunAsync();
        return 0;
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var endpoints = builder.Configuration.GetSection(SiloEndpointOptions.SectionName).Get<SiloEndpointOptions>() ?? new SiloEndpointOptions();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort);
            silo.UseEmbeddedProviders();
            silo.AddTaskService();
        });
        builder.AddTaskServiceGateway();

        var app = builder.Build();
        app.MapTaskServiceApi();
        return app;
    }
}
