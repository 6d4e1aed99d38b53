using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskService.Testing;

/// <summary>
/// An incoming event as a test describes it: <c>TestEvent.Keyed("invoice-received").From("billing").CreatingTask("inv-1", "Check it")</c>.
/// The tasks it lists go into <c>payload.tasks.values</c>, where the <c>create-tasks</c> step of a workflow reads them.
/// <see cref="Trigger"/> is the body of <c>POST /events/trigger</c>; <see cref="PayloadJson"/> the value of a Kafka or SQS message.
/// </summary>
public sealed record TestEvent
{
    private TestEvent(string key) => Key = key;

    public string Key { get; }

    public string? Source { get; init; }

    public string? Description { get; init; }

    private ImmutableList<KeyValuePair<string, JsonNode?>> Properties { get; init; } = [];

    private ImmutableList<JsonObject> Tasks { get; init; } = [];

    /// <summary>An event of this key with an empty payload.</summary>
    public static TestEvent Keyed(string key) => new(key);

    /// <summary>A payload for a message whose event key comes from elsewhere (the topic or queue's mapping).</summary>
    public static TestEvent Message() => new(string.Empty);

    public TestEvent From(string source) => this with { Source = source };

    public TestEvent Described(string description) => this with { Description = description };

    /// <summary>The payload with <paramref name="property"/> set to <paramref name="value"/> (serialized as JSON), before the tasks.</summary>
    public TestEvent With(string property, object? value) =>
        this with { Properties = Properties.Add(new(property, JsonSerializer.SerializeToNode(value))) };

    /// <summary>The payload listing one more task for <c>create-tasks</c> to create.</summary>
    public TestEvent CreatingTask(string key, string name) =>
        this with { Tasks = Tasks.Add(new JsonObject { ["key"] = key, ["name"] = name }) };

    public JsonObject Payload
    {
        get
        {
            var payload = new JsonObject();
            foreach (var (name, value) in Properties)
            {
                payload[name] = value?.DeepClone();
            }

            if (!Tasks.IsEmpty)
            {
                payload["tasks"] = new JsonObject { ["values"] = new JsonArray([.. Tasks.Select(t => (JsonNode)t.DeepClone())]) };
            }

            return payload;
        }
    }

    /// <summary>The payload as compact JSON text.</summary>
    public string PayloadJson => Payload.ToJsonString();

    /// <summary>The body of <c>POST /events/trigger</c>: key, source and description when given, payload.</summary>
    public JsonObject Trigger
    {
        get
        {
            var trigger = new JsonObject { ["key"] = Key };
            if (Source is not null)
            {
                trigger["source"] = Source;
            }

            if (Description is not null)
            {
                trigger["description"] = Description;
            }

            trigger["payload"] = Payload;
            return trigger;
        }
    }

    /// <summary>The body of <c>POST /events/trigger</c> as compact JSON text.</summary>
    public string TriggerJson => Trigger.ToJsonString();
}
