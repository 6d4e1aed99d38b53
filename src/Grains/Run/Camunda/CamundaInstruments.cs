using System.Diagnostics.Metrics;

namespace TaskService.Workflows.Camunda;

/// <summary>Metrics of the Camunda worker, on the <c>TaskService.Camunda</c> meter.</summary>
public static class CamundaInstruments
{
    public const string MeterName = "TaskService.Camunda";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> ExternalTasksFetched = Meter.CreateCounter<long>("taskservice.camunda.external_tasks_fetched", "{task}", "External tasks fetched and locked.");

    public static readonly Counter<long> ExternalTasksCompleted = Meter.CreateCounter<long>("taskservice.camunda.external_tasks_completed", "{task}", "External tasks whose command succeeded and that were reported complete.");

    public static readonly Counter<long> ExternalTasksFailed = Meter.CreateCounter<long>("taskservice.camunda.external_tasks_failed", "{task}", "External tasks whose command failed and that were reported as failures.");

    public static readonly Counter<long> PollFailures = Meter.CreateCounter<long>("taskservice.camunda.poll_failures", "{poll}", "fetchAndLock requests that failed.");

    public static readonly Histogram<double> CommandDuration = Meter.CreateHistogram<double>("taskservice.camunda.command_duration", "s", "How long commands of external tasks ran.");
}
