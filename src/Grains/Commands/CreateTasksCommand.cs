using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Mappings;
using TaskService.Events;
using TaskService.Outgoing;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Tasks;
using TaskService.Workflows;

namespace TaskService.Commands;

/// <summary>
/// <c>create-tasks</c>: creates the tasks listed in the variable <c>tasks</c> (<c>{"values": [...]}</c>), starts the workflow mapped to
/// each task's key with the variable <c>taskId</c>, records that instance's pending user tasks, and publishes <c>task-created</c>.
/// Task ids derive from the external task and the entry's position, so a rerun creates nothing twice. A task whose key maps no
/// workflow is written without activating its grain (<see cref="TaskCreator"/>); a task that is there already, or one with a
/// workflow, goes through its grain.
/// </summary>
public sealed class CreateTasksCommand(
    IGrainFactory grains,
    ITaskServiceStore store,
    IWorkflowEngine engine,
    IOutgoingEventPublisher publisher,
    TaskCreator creator,
    TimeProvider time,
    IOptions<LimitsOptions> limits) : IExternalTaskCommand
{
    public string Topic => CommandTopics.CreateTasks;

    public async Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken)
    {
        var entries = ReadTasks(context.Variables, limits.Value.MaxTasksPerCommand);
        var created = new List<TaskRecord>(entries.Count);
        var taskCreated = new TaskCreatedEvent
        {
            Id = DeterministicId.From(OutgoingEventTypes.TaskCreated, context.ExternalTaskId),
            Timestamp = time.GetUtcNow().ToUnixTimeMilliseconds(),
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        };
        var eventWritten = false;
        for (var index = 0; index < entries.Count; index++)
        {
            var taskId = DeterministicId.From("task", context.ExternalTaskId, index.ToString(CultureInfo.InvariantCulture));
            var grain = grains.GetGrain<ITaskGrain>(taskId);

            // The last task's write carries task-created, listing every task: its creation, or the start of its workflow.
            var withEvent = index == entries.Count - 1 ? taskCreated with { EarlierTasks = [.. created] } : null;
            var mapping = await MappingAsync(entries[index].Key, cancellationToken);
            var write = mapping is null ? await creator.TryCreateAsync(taskId, entries[index], withEvent) : null;
            write ??= await grain.CreateAsync(entries[index], mapping is null ? withEvent : null);
            var task = write.Task;
            if (task.Key != entries[index].Key)
            {
                // The step ran again and found its task, since renamed: its key now decides its workflow, as it did.
                mapping = await MappingAsync(task.Key, cancellationToken);
            }

            if (mapping is not null && task.ExternalId is null)
            {
                var variables = JsonElementFactory.From(new Dictionary<string, string> { ["taskId"] = taskId });
                // A mapping to a workflow that is not deployed fails the step, which the engine reports and retries.
                var start = (await engine.StartAsync(mapping.WorkflowKey, variables, DeterministicId.From("task-workflow", taskId, mapping.WorkflowKey), cancellationToken)).OrThrow();
                write = await grain.AttachWorkflowAsync(start.InstanceId, start.PendingUserTasks, withEvent);
                task = write.Task;
            }

            eventWritten = write.EventWritten;
            created.Add(task);
        }

        if (!eventWritten)
        {
            // No task's write carried it (no task, or the step ran again and its last task was there): published on its own,
            // with the records as stored.
            await publisher.PublishAsync(taskCreated.ToOutgoingEvent(created), cancellationToken);
        }

        return new Dictionary<string, JsonElement>
        {
            ["createdTaskIds"] = JsonElementFactory.From(created.Select(t => t.Id).ToArray()),
        };
    }

    private async Task<TaskWorkflowMapping?> MappingAsync(string taskKey, CancellationToken cancellationToken) =>
        (await store.GetTaskMappingsAsync(taskKey, cancellationToken)).FirstOrDefault();

    /// <summary>
    /// Reads <c>tasks.values</c>, accepting the object or its values as JSON text, as Camunda variables often carry them. More than
    /// <paramref name="maxTasks"/> entries fail the step before any task is created.
    /// </summary>
    public static IReadOnlyList<NewTask> ReadTasks(IReadOnlyDictionary<string, JsonElement> variables, int maxTasks)
    {
        if (!variables.TryGetValue("tasks", out var tasks) || tasks.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            throw TaskServiceException.Invalid("tasks", "The variable 'tasks' is missing; create-tasks expects {\"values\": [ {\"key\": ..., \"name\": ...}, ... ]}.");
        }

        tasks = Unwrap(tasks, "tasks");
        if (tasks.ValueKind != JsonValueKind.Object || !tasks.TryGetProperty("values", out var values))
        {
            throw TaskServiceException.Invalid("tasks", "The variable 'tasks' must be an object with a 'values' array.");
        }

        values = Unwrap(values, "tasks.values");
        if (values.ValueKind != JsonValueKind.Array)
        {
            throw TaskServiceException.Invalid("tasks.values", "'tasks.values' must be an array of tasks, or a JSON string holding one.");
        }

        if (values.GetArrayLength() > maxTasks)
        {
            throw TaskServiceException.Invalid("tasks.values",
                $"'tasks.values' lists {values.GetArrayLength()} tasks; one create-tasks step creates at most {maxTasks} (TaskService:Limits:MaxTasksPerCommand). Split the list over several steps.");
        }

        var read = new NewTask[values.GetArrayLength()];
        var index = 0;
        foreach (var entry in values.EnumerateArray())
        {
            read[index] = ReadTask(entry, index);
            index++;
        }

        return read;
    }

    private static JsonElement Unwrap(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return value;
        }

        try
        {
            return JsonElementFactory.Parse(value.GetString()!);
        }
        catch (JsonException exception)
        {
            throw TaskServiceException.Invalid(name, $"'{name}' is a string that is not valid JSON: check the syntax at {Serialization.JsonErrorPosition.Describe(exception)}.");
        }
    }

    /// <summary>The entry at <paramref name="index"/>; its path in error messages is written only for an error.</summary>
    private static NewTask ReadTask(JsonElement entry, int index)
    {
        var path = new EntryPath(index);
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw TaskServiceException.Invalid(path.ToString(), $"'{path}' must be an object.");
        }

        var key = RequiredString(entry, "key", path);
        return new NewTask
        {
            Key = key,
            Name = OptionalString(entry, "name", path) ?? key,
            Description = OptionalString(entry, "description", path),
            Priority = OptionalString(entry, "priority", path),
            Severity = OptionalString(entry, "severity", path),
            Type = OptionalString(entry, "type", path),
            AssigneeId = OptionalString(entry, "assigneeId", path),
            Notes = OptionalString(entry, "notes", path),
            StartDate = OptionalDate(entry, "startDate", path),
            DueDate = OptionalDate(entry, "dueDate", path),
            Metadata = entry.TryGetProperty("metadata", out var metadata) && metadata.ValueKind != JsonValueKind.Null
                ? WellFormedJson.Ensure(metadata.Clone(), $"{path}.metadata")
                : null,
        };
    }

    private static string RequiredString(JsonElement entry, string name, EntryPath path) =>
        OptionalString(entry, name, path) is { Length: > 0 } value
            ? value
            : throw TaskServiceException.Invalid($"{path}.{name}", $"'{path}.{name}' is required and must be a non-empty string.");

    private static string? OptionalString(JsonElement entry, string name, EntryPath path)
    {
        if (!entry.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => throw TaskServiceException.Invalid($"{path}.{name}", $"'{path}.{name}' must be a string."),
        };
    }

    private static DateTimeOffset? OptionalDate(JsonElement entry, string name, EntryPath path)
    {
        var text = OptionalString(entry, name, path);
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date.ToUniversalTime()
            : throw TaskServiceException.Invalid($"{path}.{name}", $"'{path}.{name}' must be an ISO 8601 date-time, not '{text}'.");
    }

    /// <summary>The path of an entry of <c>tasks.values</c>, as error messages name it.</summary>
    private readonly record struct EntryPath(int Index)
    {
        public override string ToString() => $"tasks.values[{Index}]";
    }
}
