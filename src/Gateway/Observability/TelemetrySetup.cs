using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskService.Common;

namespace TaskService.Gateway.Observability;

/// <summary>
/// OpenTelemetry for the process: traces from ASP.NET Core, HttpClient, Npgsql, Orleans and TaskService's own source; metrics
/// from the same plus the .NET runtime. OTLP export follows the standard <c>OTEL_EXPORTER_OTLP_*</c> variables; Prometheus is
/// served at <c>/metrics</c> when <see cref="OperationsOptions.Prometheus"/> is on. Log lines carry the trace and span ids.
/// </summary>
public static class TelemetrySetup
{
    public const string PrometheusPath = "/metrics";

    private static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>
    /// Whether this process records spans: an OTLP endpoint is configured, or <see cref="OperationsOptions.Tracing"/> is on.
    /// Without it nothing listens to any activity source, so the silo leaves out Orleans' activity propagation as well.
    /// </summary>
    public static bool TracingEnabled(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(OperationsOptions.SectionName).Get<OperationsOptions>() ?? new OperationsOptions();
        return OtlpConfigured(configuration) || options.Tracing == true;
    }

    private static bool OtlpConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) ||
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) ||
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]);

    public static WebApplicationBuilder AddTaskServiceTelemetry(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(OperationsOptions.SectionName).Get<OperationsOptions>() ?? new OperationsOptions();
        builder.Services.AddOptions<OperationsOptions>().BindConfiguration(OperationsOptions.SectionName);
        builder.Logging.Configure(logging => logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        var otlp = OtlpConfigured(builder.Configuration);
        var prometheus = options.PrometheusEnabled(builder.Environment);
        var tracing = TracingEnabled(builder.Configuration);
        if (!otlp && !prometheus && !tracing)
        {
            // Nothing would read them: the hot path pays for no spans or metric aggregation.
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "task-service"));
        if (tracing)
        {
            telemetry.WithTracing(traces => traces
                .SetSampler(new HousekeepingSampler())
                .AddSource(TaskServiceTelemetry.ActivitySourceName)
                .AddSource(OrleansSources)
                .AddAspNetCoreInstrumentation(asp => asp.Filter = context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments(PrometheusPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
        }

        telemetry.WithMetrics(metrics =>
        {
            metrics
                .AddMeter(TaskServiceTelemetry.MeterName, TaskServiceTelemetry.MeterName + ".*", "Microsoft.Orleans")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation();
            if (prometheus)
            {
                metrics.AddPrometheusExporter();
            }
        });

        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Maps <c>/metrics</c> when Prometheus is on.</summary>
    public static WebApplication MapTaskServiceTelemetry(this WebApplication app)
    {
        var options = app.Configuration.GetSection(OperationsOptions.SectionName).Get<OperationsOptions>() ?? new OperationsOptions();
        if (options.PrometheusEnabled(app.Environment))
        {
            app.MapPrometheusScrapingEndpoint(PrometheusPath);
        }

        return app;
    }
}
