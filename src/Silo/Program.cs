using Orleans.Dashboard;
using TaskService.Gateway;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Hosting;
using TaskService.Gateway.Observability;
using TaskService.Hosting;
using TaskService.Silo.Hosting;
using TaskService.Storage.Postgres;

namespace TaskService.Silo;

/// <summary>
/// A TaskService silo that also serves the HTTP API. On the embedded defaults (no configuration) it is a single node with
/// localhost clustering and memory providers; with <c>ConnectionStrings:TaskService</c> it joins a PostgreSQL-backed cluster.
/// </summary>
public sealed class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == MigrateCommand.Name)
        {
            return await MigrateCommand.RunAsync(args[1..]);
        }

        // A start that fails prints what to fix and exits with 1, rather than an unhandled exception.
        return await StartupFailure.RunAsync(() => Build(args), CheckDatabaseAsync);
    }

    /// <summary>
    /// On PostgreSQL without <c>MigrateOnStart</c>, the database must answer and hold every migration before Orleans starts
    /// on it; otherwise the start stops naming the command that fixes it.
    /// </summary>
    private static async Task CheckDatabaseAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var connectionString = app.Configuration.GetConnectionString(SiloProviders.ConnectionStringName);
        var storage = app.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        if (!string.IsNullOrWhiteSpace(connectionString) && !storage.MigrateOnStart)
        {
            await DatabaseMigrator.EnsureAppliedAsync(connectionString, cancellationToken);
        }
    }

    public static WebApplication Build(string[] args)
    {
        // appsettings.json is read from beside the program, so the published output behaves the same from any directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var connectionString = builder.Configuration.GetConnectionString(SiloProviders.ConnectionStringName);
        PostgresConnectionString.Validate(connectionString);
        var storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        if (!string.IsNullOrWhiteSpace(connectionString) && storage.MigrateOnStart)
        {
            // Hosted services start in the order they are added: the tables exist before Orleans starts.
            builder.Services.AddHostedService(sp => new MigrateOnStartService(connectionString, sp.GetRequiredService<ILogger<MigrateOnStartService>>()));
        }

        var operations = builder.Configuration.GetSection(OperationsOptions.SectionName).Get<OperationsOptions>() ?? new OperationsOptions();
        var dashboard = operations.DashboardEnabled(builder.Environment);
        builder.UseOrleans(silo =>
        {
            silo.UseConfiguredProviders(builder.Configuration);
            silo.AddTaskService();
            if (TelemetrySetup.TracingEnabled(builder.Configuration))
            {
                // Two grain call filters on every call; with no span recorded they would carry a trace nothing reads.
                silo.AddActivityPropagation();
            }

            if (dashboard)
            {
                silo.AddDashboard();
            }
        });
        builder.AddTaskServiceGateway();
        var health = builder.Services.AddHealthChecks().AddCheck<Health.SiloStatusHealthCheck>("orleans-silo");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            health.AddCheck("postgresql", new Health.PostgresHealthCheck(connectionString), timeout: TimeSpan.FromSeconds(5));
        }

        var app = builder.Build();
        app.MapTaskServiceApi();
        if (dashboard)
        {
            // The Orleans dashboard; outside Development only for tokens that carry the ViewDashboard permission.
            var group = app.MapGroup("/dashboard");
            if (!app.Environment.IsDevelopment())
            {
                group.RequireAuthorization(Permissions.ViewDashboard);
            }

            group.MapOrleansDashboard();
        }

        return app;
    }
}
