using System.Text.Json;
using TaskService.Errors;
using TaskService.Tasks;

namespace TaskService.Commands;

/// <summary><c>end-task</c>: completes the task named by the variable <c>taskId</c>, which publishes <c>task-completed</c> once.</summary>
public sealed class EndTaskCommand(IGrainFactory grains) : IExternalTaskCommand
{
    public string Topic => CommandTopics.EndTask;

    public async Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken)
    {
        if (!context.Variables.TryGetValue("taskId", out var taskId) || taskId.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(taskId.GetString()))
        {
            throw TaskServiceException.Invalid("taskId", "end-task needs the string variable 'taskId' naming the task to complete.");
        }

        await grains.GetGrain<ITaskGrain>(taskId.GetString()!).EndAsync();
        return new Dictionary<string, JsonElement>();
    }
}
