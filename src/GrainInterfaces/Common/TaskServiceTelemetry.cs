namespace TaskService.Common;

/// <summary>
/// The names under which TaskService reports traces and metrics: one activity source and one meter for everything the service
/// itself measures, whose instruments are named <c>taskservice.*</c>.
/// </summary>
public static class TaskServiceTelemetry
{
    public const string ActivitySourceName = "TaskService";

    public const string MeterName = "TaskService";
}
