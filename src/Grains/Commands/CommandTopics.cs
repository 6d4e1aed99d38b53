namespace TaskService.Commands;

/// <summary>The topics of the built-in commands.</summary>
public static class CommandTopics
{
    public const string CreateTasks = "create-tasks";
    public const string EndTask = "end-task";
}
