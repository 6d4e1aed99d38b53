using Orleans.Configuration;
using TaskService.Gateway;
using TaskService.Gateway.Health;
using TaskService.Gateway.Hosting;

// A start that fails prints what to fix and exits with 1, rather than an unhandled exception.
return await StartupFailure.RunAsync(() => Build(args));

static WebApplication Build(string[] args)
{
    // appsettings.json is read from beside the program, so the published output behaves the same from any directory.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    var connectionString = builder.Configuration.GetConnectionString("TaskService");
    PostgresConnectionString.Validate(connectionString);
    builder.UseOrleansClient(client =>
    {
        client.AddActivityPropagation();
        TaskService.Common.CachedGrainInterfaceTypeProvider.AddGrainInterfaceTypeCache(client.Services);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            // A single silo on this machine, on the embedded defaults.
            client.UseLocalhostClustering(builder.Configuration.GetValue("Orleans:Endpoints:GatewayPort", 30000));
            return;
        }

        // A PostgreSQL-backed cluster: the client finds the silos' gateways in the membership table.
        client.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = builder.Configuration.GetValue("Orleans:ClusterId", "task-service")!;
            options.ServiceId = builder.Configuration.GetValue("Orleans:ServiceId", "task-service")!;
        });
        client.UseAdoNetClustering(options =>
        {
            options.Invariant = "Npgsql";
            options.ConnectionString = connectionString;
        });
    });

    // HTTP opens at once; the client connects in the background and keeps trying until a silo of the cluster answers.
    builder.Services.AddClusterConnectionInBackground();
    builder.AddTaskServiceGateway();
    builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>(ClusterHealthCheck.Name);

    var app = builder.Build();
    app.MapTaskServiceApi();
    return app;
}

/// <summary>The gateway alone: an Orleans client of a TaskService cluster that serves the HTTP API.</summary>
public partial class Program;
