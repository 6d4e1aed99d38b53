using System.Diagnostics.Metrics;

namespace TaskService.Workflows;

/// <summary>Metrics of workflow instances, whichever engine runs them, on the <c>TaskService.Workflows</c> meter.</summary>
public static class WorkflowInstruments
{
    public const string MeterName = "TaskService.Workflows";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Workflow instances started (a repeated start of the same instance is not counted again).</summary>
    public static readonly Counter<long> InstancesStarted = Meter.CreateCounter<long>(
        "taskservice.workflow_instances.started", "{instance}", "Workflow instances started.");

    /// <summary>Workflow instances that reached their end.</summary>
    public static readonly Counter<long> InstancesCompleted = Meter.CreateCounter<long>(
        "taskservice.workflow_instances.completed", "{instance}", "Workflow instances that reached their end.");

    /// <summary>Incidents raised: a command whose retries ran out, or a step the engine could not take.</summary>
    public static readonly Counter<long> Incidents = Meter.CreateCounter<long>(
        "taskservice.workflow_instances.incidents", "{incident}", "Incidents raised in workflow instances.");
}
