using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using TaskService.Workflows.Embedded;

namespace TaskService.Workflows.Camunda;

/// <summary>Selects the workflow engine from <c>TaskService:Workflows:Engine</c> and registers the Camunda one.</summary>
public static class CamundaWorkflowEngineSetup
{
    public const string EngineSetting = "TaskService:Workflows:Engine";

    /// <summary>True when the configuration selects Camunda; <c>embedded</c> or nothing selects the embedded engine.</summary>
    public static bool IsSelected(IConfiguration configuration)
    {
        var engine = configuration[EngineSetting];
        return engine?.Trim().ToLowerInvariant() switch
        {
            null or "" or WorkflowProviders.Embedded => false,
            WorkflowProviders.Camunda => true,
            _ => throw new InvalidOperationException($"{EngineSetting} is '{engine}'; use '{WorkflowProviders.Embedded}' (the default) or '{WorkflowProviders.Camunda}'."),
        };
    }

    /// <summary>
    /// Runs workflows on Camunda 7 engine-rest: the engine, the deployer the workflow grains use, the client, the worker, and the
    /// instance grain that answers the workflow-instances API in place of the embedded one.
    /// </summary>
    public static ISiloBuilder AddCamundaWorkflowEngine(this ISiloBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CamundaOptions>()
            .BindConfiguration(CamundaOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CamundaOptions>, CamundaOptionsValidator>());
        services.AddHttpClient(CamundaClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.TryAddSingleton(sp => new CamundaClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(CamundaClient.HttpClientName),
            sp.GetRequiredService<IOptions<CamundaOptions>>()));
        services.Replace(ServiceDescriptor.Singleton<IWorkflowEngine, CamundaWorkflowEngine>());
        services.TryAddSingleton<IWorkflowDeployer, CamundaWorkflowDeployer>();
        services.TryAddSingleton<CamundaWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<CamundaWorker>());
        services.AddHealthChecks().AddCheck<CamundaHealthCheck>(CamundaHealthCheck.Name, timeout: TimeSpan.FromSeconds(5));

        // IWorkflowInstanceGrain is served by the Camunda instance grain: the embedded one leaves this silo's grain types.
        services.PostConfigure<GrainTypeOptions>(options => options.Classes.Remove(typeof(WorkflowInstanceGrain)));
        return builder;
    }
}
