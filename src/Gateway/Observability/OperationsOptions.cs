namespace TaskService.Gateway.Observability;

/// <summary>
/// The operator's tools, bound from <c>TaskService:Operations</c>. A setting left unset takes its environment's default: on in
/// Development, off elsewhere. OTLP export is configured by the standard <c>OTEL_*</c> variables alone.
/// </summary>
public sealed class OperationsOptions
{
    public const string SectionName = "TaskService:Operations";

    /// <summary>Serve metrics for Prometheus at <c>/metrics</c>.</summary>
    public bool? Prometheus { get; set; }

    /// <summary>Record traces even when no OTLP endpoint is configured (for an exporter added in code).</summary>
    public bool? Tracing { get; set; }

    /// <summary>Serve the API reference (Scalar) at <c>/scalar</c>.</summary>
    public bool? ApiReference { get; set; }

    /// <summary>Serve the Orleans dashboard at <c>/dashboard</c> (silos only; behind authentication outside Development).</summary>
    public bool? Dashboard { get; set; }

    public bool PrometheusEnabled(IHostEnvironment environment) => Prometheus ?? environment.IsDevelopment();

    public bool ApiReferenceEnabled(IHostEnvironment environment) => ApiReference ?? environment.IsDevelopment();

    public bool DashboardEnabled(IHostEnvironment environment) => Dashboard ?? false;
}
