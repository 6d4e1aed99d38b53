using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using TaskService.Gateway.Apis;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;
using TaskService.Serialization;

namespace TaskService.Gateway;

/// <summary>
/// The HTTP API, defined once: the silo serves it co-hosted in single-node mode, and the gateway process serves it alone as an
/// Orleans client of a cluster.
/// </summary>
public static class GatewaySetup
{
    /// <summary>Registers authentication, problem details, JSON conventions, health checks and the OpenAPI document.</summary>
    public static WebApplicationBuilder AddTaskServiceGateway(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddTaskServiceAuth(builder.Configuration, builder.Environment);
        services.AddProblemDetails();
        services.AddExceptionHandler<TaskServiceExceptionHandler>();

        // Parameters and bodies that cannot be bound raise BadHttpRequestException in every environment, so the exception
        // handler answers with a problem that names the parameter, not a bare 400.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(json =>
        {
            ContractJson.Configure(json.SerializerOptions);
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.AddOptions<TaskService.Common.LimitsOptions>().BindConfiguration(TaskService.Common.LimitsOptions.SectionName).ValidateOnStart();
        services.AddHealthChecks();
        services.AddOpenApi();
        services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>Maps every endpoint group, the health endpoints and the OpenAPI document.</summary>
    public static WebApplication MapTaskServiceApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapEventsApi();
        app.MapTasksApi();
        app.MapUserTasksApi();
        app.MapClientAppsApi();
        app.MapWebhooksApi();
        app.MapWorkflowsApi();
        app.MapWorkflowInstancesApi();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready");
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapDevelopmentTokenApi();
        }

        return app;
    }
}
