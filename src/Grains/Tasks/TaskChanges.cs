using System.Text.Json;
using System.Text.Json.Nodes;
using TaskService.Serialization;

namespace TaskService.Tasks;

/// <summary>The field changes a history entry records, with each value in its JSON form (as the HTTP contract shows it).</summary>
public static class TaskChanges
{
    /// <summary>Bookkeeping fields that change with every write; a history entry leaves them out.</summary>
    private static readonly HashSet<string> Bookkeeping = new(StringComparer.Ordinal) { "modifiedOn", "modifiedBy" };

    public static IReadOnlyList<TaskFieldChange> Of(string field, object? from, object? to) =>
        [new TaskFieldChange { Field = field, From = ToJson(from), To = ToJson(to) }];

    /// <summary>Every field whose value differs between the two forms of a task, in the record's property order.</summary>
    public static IReadOnlyList<TaskFieldChange> Between(TaskRecord before, TaskRecord after)
    {
        var old = JsonSerializer.SerializeToNode(before, ContractJson.Options)!.AsObject();
        var now = JsonSerializer.SerializeToNode(after, ContractJson.Options)!.AsObject();
        var changes = new List<TaskFieldChange>();
        foreach (var field in now.Select(p => p.Key).Union(old.Select(p => p.Key), StringComparer.Ordinal))
        {
            var from = old[field];
            var to = now[field];
            if (!Bookkeeping.Contains(field) && !JsonNode.DeepEquals(from, to))
            {
                changes.Add(new TaskFieldChange { Field = field, From = Element(from), To = Element(to) });
            }
        }

        return changes;
    }

    private static JsonElement? ToJson(object? value) => value is null ? null : JsonSerializer.SerializeToElement(value, ContractJson.Options);

    private static JsonElement? Element(JsonNode? node) => node is null ? null : JsonSerializer.SerializeToElement(node);
}
