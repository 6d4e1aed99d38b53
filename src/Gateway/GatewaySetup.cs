using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using TaskService.Gateway.Apis;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Hosting;
using TaskService.Gateway.Http;
using TaskService.Gateway.Observability;
using TaskService.Gateway.OpenApi;
using TaskService.Gateway.Ui;
using Scalar.AspNetCore;
using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Events;
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
        services.AddProblemDetails(options => options.CustomizeProblemDetails = StatusProblemDetails.Describe);
        services.AddExceptionHandler<TaskServiceExceptionHandler>();

        // Parameters and bodies that cannot be bound raise BadHttpRequestException in every environment, so the exception
        // handler answers with a problem that names the parameter, not a bare 400.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>());
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<LimitsOptions>>((kestrel, limits) => RequestHeadersGuard.ApplyTo(kestrel.Limits, limits.Value));
        services.AddOptions<InboxOptions>().BindConfiguration(InboxOptions.SectionName)
            .Validate(o => !string.IsNullOrWhiteSpace(o.GroupsClaim), "TaskService:Auth:GroupsClaim must name a claim.").ValidateOnStart();
        services.AddOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>().Configure<IOptions<LimitsOptions>>((json, limits) =>
        {
            ContractJson.Configure(json.SerializerOptions);
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            json.SerializerOptions.MaxDepth = limits.Value.MaxJsonDepth;

            // Property names are matched as written, as the original's models match them: "KEY" is not "key" but a property no
            // route takes, refused by name rather than read as another.
            json.SerializerOptions.PropertyNameCaseInsensitive = false;

            // A property given twice is refused, not read as its last value: which one was meant cannot be known, and a proxy
            // that checked the first would pass on a different body than the one acted on.
            json.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.TryAddSingleton(sp => new RequestFieldChecks(sp.GetRequiredService<IOptions<LimitsOptions>>().Value));
        services.AddTaskServiceRateLimits(builder.Configuration);
        AddCrossOrigin(builder);
        services.AddHealthChecks();
        services.AddTaskServiceOpenApi();
        builder.AddTaskServiceTelemetry();
        builder.AddTaskServiceUi();
        services.TryAddSingleton(TimeProvider.System);

        // In a silo, the silo's own ingress is registered already and wins: a trigger then takes no grain call to reach it.
        services.TryAddSingleton<IEventIngress, GrainEventIngress>();
        return builder;
    }

    /// <summary>The CORS policy of <see cref="CrossOriginOptions"/>, when it lists any origin.</summary>
    private static void AddCrossOrigin(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CrossOriginOptions>().BindConfiguration(CrossOriginOptions.SectionName);
        var options = builder.Configuration.GetSection(CrossOriginOptions.SectionName).Get<CrossOriginOptions>() ?? new CrossOriginOptions();
        if (options.Problem() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        if (options.AllowedOrigins.Length == 0)
        {
            return;
        }

        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
        {
            if (options.AllowedOrigins is ["*"])
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(options.AllowedOrigins);
            }

            policy.WithMethods(HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete)
                .AllowAnyHeader()
                .WithExposedHeaders("Location", "Retry-After")
                .SetPreflightMaxAge(options.PreflightMaxAge);
        }));
    }

    /// <summary>Maps every endpoint group, the health endpoints and the OpenAPI document.</summary>
    public static WebApplication MapTaskServiceApi(this WebApplication app)
    {
        // Routing where it would run on its own (first), but after HEAD became GET, so that a HEAD finds the GET route.
        app.UseHeadAsGet();
        app.UseRouting();
        app.UseDecodedSlashesInRouteValues();
        if (app.Services.GetRequiredService<IOptions<CrossOriginOptions>>().Value.AllowedOrigins.Length > 0)
        {
            // Before the checks of headers, bodies and tokens: a preflight carries none of them, and a refusal must carry the
            // CORS headers or the browser hides it from the page.
            app.UseCors();
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestHeadersGuard>();
        app.UseTaskServiceUi();
        app.UseMiddleware<RequestBodyGuard>();
        if (app.Services.GetService<ClusterConnection>() is not null)
        {
            // The gateway alone: routes served by grains answer 503 until its client is connected to the cluster.
            app.UseMiddleware<ClusterConnectionGate>();
        }

        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        // Every API route goes through the same checks of path ids, query parameters and body fields (RequestValidationFilter).
        var api = app.MapGroup(string.Empty);
        api.AddEndpointFilter(new RequestValidationFilter(app.Services.GetRequiredService<RequestFieldChecks>()));
        var grains = api.MapGroup(string.Empty).WithMetadata(ClusterEndpoint.Metadata);
        grains.MapEventsApi();
        grains.MapTasksApi();
        grains.MapUserTasksApi();
        grains.MapInboxApi();
        grains.MapTaskHistoryApi();
        grains.MapClientAppsApi();
        grains.MapWebhooksApi();
        grains.MapWorkflowsApi();
        grains.MapWorkflowInstancesApi();

        // Liveness is the process answering; readiness runs every registered check (store, cluster membership, secrets key,
        // Kafka and Camunda where configured) and says which failed and why.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapOpenApi();
        app.MapTaskServiceTelemetry();
        var operations = app.Configuration.GetSection(OperationsOptions.SectionName).Get<OperationsOptions>() ?? new OperationsOptions();
        if (operations.ApiReferenceEnabled(app.Environment))
        {
            // The API reference over our OpenAPI document; paste a bearer token into it to try the routes.
            app.MapScalarApiReference("/scalar", scalar => scalar
                .WithTitle("TaskService API")
                .AddPreferredSecuritySchemes("Bearer")
                .AddHttpAuthentication("Bearer", auth => auth.Token = string.Empty));
        }

        // A token with every permission, for trying the service out: only in Development, and only while the signing secret is
        // the built-in development secret, so it can never hand out tokens that a configured (real) secret would accept.
        if (app.Environment.IsDevelopment() && app.Services.GetRequiredService<JwtOptions>().JwtSecret == JwtOptions.DevelopmentSecret)
        {
            api.MapDevelopmentTokenApi();
        }

        app.MapTaskServiceUi();
        return app;
    }
}
