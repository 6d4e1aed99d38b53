using System.Diagnostics.Metrics;

namespace TaskService.Tasks;

/// <summary>Metrics of tasks and their user tasks, on the <c>TaskService.Tasks</c> meter. Counted after the change is stored.</summary>
public static class TaskInstruments
{
    public const string MeterName = "TaskService.Tasks";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> TasksCreated = Meter.CreateCounter<long>(
        "taskservice.tasks.created", "{task}", "Tasks created.");

    public static readonly Counter<long> TasksCompleted = Meter.CreateCounter<long>(
        "taskservice.tasks.completed", "{task}", "Tasks completed (their workflow reached end-task).");

    public static readonly Counter<long> UserTasksCreated = Meter.CreateCounter<long>(
        "taskservice.user_tasks.created", "{user_task}", "User tasks recorded as pending on their task.");

    public static readonly Counter<long> UserTasksCompleted = Meter.CreateCounter<long>(
        "taskservice.user_tasks.completed", "{user_task}", "User tasks completed.");
}
