using System.Diagnostics;
using TaskService.Common;

namespace TaskService;

/// <summary>
/// TaskService's own spans: routing an event, starting a workflow instance, running a command, creating a task and delivering
/// an outgoing event. Each continues the trace its work belongs to,
/// so that one event's trace runs from its trigger (or Kafka message) to every webhook and Kafka message it causes.
/// </summary>
public static class TaskServiceActivities
{
    public const string TraceParentHeader = "traceparent";

    public static readonly ActivitySource Source = new(TaskServiceTelemetry.ActivitySourceName);

    /// <summary>Routing one event to its workflows, under the caller's span or the trace the event arrived with.</summary>
    public static Activity? StartRouting(string eventId, string eventKey, string? traceParent)
    {
        var activity = Activity.Current is null && traceParent is not null
            ? Source.StartActivity("route event", ActivityKind.Consumer, traceParent)
            : Source.StartActivity("route event", ActivityKind.Internal);
        activity?.SetTag("taskservice.event.id", eventId);
        activity?.SetTag("taskservice.event.key", eventKey);
        return activity;
    }

    /// <summary>Starting a workflow instance of the embedded engine (its first steps and the commands due at once), under the caller's span.</summary>
    public static Activity? StartWorkflowInstance(string instanceId, string workflowId, int version)
    {
        var activity = Source.StartActivity("start workflow instance", ActivityKind.Internal);
        activity?.SetTag("taskservice.workflow_instance.id", instanceId);
        activity?.SetTag("taskservice.workflow.id", workflowId);
        activity?.SetTag("taskservice.workflow.version", version);
        return activity;
    }

    /// <summary>An external task's command, in the trace of the work that made it due.</summary>
    public static Activity? StartCommand(string topic, string instanceId, string? traceParent)
    {
        var activity = traceParent is not null
            ? Source.StartActivity("run command " + topic, ActivityKind.Internal, traceParent)
            : Source.StartActivity("run command " + topic, ActivityKind.Internal);
        activity?.SetTag("taskservice.command.topic", topic);
        activity?.SetTag("taskservice.workflow_instance.id", instanceId);
        return activity;
    }

    /// <summary>Writing a new task, under the step that makes it (whether or not its grain writes it).</summary>
    public static Activity? StartTaskCreation(string taskId, string taskKey)
    {
        var activity = Source.StartActivity("create task", ActivityKind.Internal);
        activity?.SetTag("taskservice.task.id", taskId);
        activity?.SetTag("taskservice.task.key", taskKey);
        return activity;
    }

    /// <summary>One webhook delivery attempt, as a child of the trace that produced the event.</summary>
    public static Activity? StartDelivery(string? traceParent, string url)
    {
        var activity = traceParent is not null
            ? Source.StartActivity("webhook deliver", ActivityKind.Producer, traceParent)
            : Source.StartActivity("webhook deliver", ActivityKind.Producer);
        activity?.SetTag("url.full", url);
        return activity;
    }
}
