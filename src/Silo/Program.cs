using TaskService.Gateway;
using TaskService.Hosting;
using TaskService.Silo.Hosting;

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

        var app = Build(args);
        await app.RunAsync();
        return 0;
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var connectionString = builder.Configuration.GetConnectionString(SiloProviders.ConnectionStringName);
        var storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        if (!string.IsNullOrWhiteSpace(connectionString) && storage.MigrateOnStart)
        {
            // Hosted services start in the order they are added: the tables exist before Orleans starts.
            builder.Services.AddHostedService(sp => new MigrateOnStartService(connectionString, sp.GetRequiredService<ILogger<MigrateOnStartService>>()));
        }

        builder.UseOrleans(silo =>
        {
            silo.UseConfiguredProviders(builder.Configuration);
            silo.AddTaskService();
        });
        builder.AddTaskServiceGateway();

        var app = builder.Build();
        app.MapTaskServiceApi();
        return app;
    }
}
