using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TaskService.Commands;
using TaskService.Queries;
using TaskService.Tasks;

namespace TaskService.Testing.Api;

/// <summary>
/// Creates tasks and user tasks without a workflow engine, the way a workflow engine would: by running the
/// <c>create-tasks</c> and <c>end-task</c> commands directly, and by recording user tasks on the task grain.
/// </summary>
public static class TaskSeeding
{
    private static readonly JsonSerializerOptions Camel = new(JsonSerializerDefaults.Web);

    /// <summary>The grain factory of the silo under test.</summary>
    public static IGrainFactory Grains(this TaskServiceApiFactory factory) => factory.Services.GetRequiredService<IGrainFactory>();

    /// <summary>A key no other test uses: hex only, so it is safe inside a LIKE pattern.</summary>
    public static string NewKey(string area) => $"{area}-{Guid.NewGuid():N}";

    /// <summary>Runs <c>create-tasks</c> for the given entries (serialized camelCase) and returns the created task ids in entry order.</summary>
    public static Task<IReadOnlyList<string>> CreateTasksAsync(this TaskServiceApiFactory factory, params object[] tasks) =>
        factory.CreateTasksFromJsonAsync(JsonSerializer.Serialize(tasks, Camel));

    /// <summary>
    /// Runs <c>create-tasks</c> with <c>{"tasks": {"values": valuesJson}}</c>, the values given as raw JSON so that number tokens
    /// such as <c>1.0</c> or <c>1e21</c> reach the service as written.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CreateTasksFromJsonAsync(
        this TaskServiceApiFactory factory, string valuesJson, string? externalTaskId = null, ValuesForm form = ValuesForm.Json)
    {
        var tasks = form switch
        {
            ValuesForm.Json => $$"""{"values": {{valuesJson}}}""",
            ValuesForm.ValuesAsString => $$"""{"values": {{JsonSerializer.Serialize(valuesJson)}}}""",
            ValuesForm.TasksAsString => JsonSerializer.Serialize($$"""{"values": {{valuesJson}}}"""),
            _ => throw new ArgumentOutOfRangeException(nameof(form)),
        };
        var result = await factory.RunCommandAsync(
            CommandTopics.CreateTasks,
            externalTaskId ?? Guid.NewGuid().ToString(),
            new Dictionary<string, JsonElement> { ["tasks"] = Parse(tasks) });
        return result["createdTaskIds"].EnumerateArray().Select(id => id.GetString()!).ToArray();
    }

    /// <summary>Runs <c>end-task</c> for the task, which completes it and publishes <c>task-completed</c>.</summary>
    public static Task EndTaskAsync(this TaskServiceApiFactory factory, string taskId) =>
        factory.RunCommandAsync(
            CommandTopics.EndTask,
            Guid.NewGuid().ToString(),
            new Dictionary<string, JsonElement> { ["taskId"] = JsonSerializer.SerializeToElement(taskId) });

    /// <summary>Runs the command registered for <paramref name="topic"/> as a workflow engine would.</summary>
    public static Task<IReadOnlyDictionary<string, JsonElement>> RunCommandAsync(
        this TaskServiceApiFactory factory, string topic, string externalTaskId, IReadOnlyDictionary<string, JsonElement> variables)
    {
        var command = factory.Services.GetRequiredService<IEnumerable<IExternalTaskCommand>>().Single(c => c.Topic == topic);
        var processInstanceId = $"process-{Guid.NewGuid():N}";
        return command.ExecuteAsync(new ExternalTaskContext(externalTaskId, topic, processInstanceId, variables), CancellationToken.None);
    }

    /// <summary>Records pending user tasks with the given names on the task and returns their ids, in the order of the names.</summary>
    public static async Task<IReadOnlyList<string>> AddUserTasksAsync(this TaskServiceApiFactory factory, string taskId, params string[] names)
    {
        var grain = factory.Grains().GetGrain<ITaskGrain>(taskId);
        var pending = names.Select(name => new NewUserTask { ExternalId = $"ext-{Guid.NewGuid():N}", Name = name }).ToArray();
        await grain.AddUserTasksAsync(pending);
        var recorded = await grain.GetUserTasksAsync();
        return pending.Select(p => recorded.Single(u => u.ExternalId == p.ExternalId).Id).ToArray();
    }

    /// <summary>How many user tasks of <paramref name="taskId"/> the store still holds, read past the HTTP API.</summary>
    public static Task<long> StoredUserTaskCountAsync(this TaskServiceApiFactory factory, string taskId) =>
        factory.Grains().GetGrain<IQueryGrain>(0).CountAsync(
            EntityKind.UserTask,
            FilterParser.ParseWhere(JsonSerializer.Serialize(new { taskId }), EntitySchemas.UserTask).OrThrow());

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>How the <c>tasks</c> variable carries its entries.</summary>
    public enum ValuesForm
    {
        /// <summary><c>{"tasks": {"values": [...]}}</c></summary>
        Json,

        /// <summary><c>{"tasks": {"values": "[...]"}}</c>: the array as JSON text.</summary>
        ValuesAsString,

        /// <summary><c>{"tasks": "{\"values\": [...]}"}</c>: the whole object as JSON text.</summary>
        TasksAsString,
    }
}
