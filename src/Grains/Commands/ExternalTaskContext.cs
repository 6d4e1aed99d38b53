using System.Text.Json;

namespace TaskService.Commands;

/// <summary>What a command sees of the external task it runs for.</summary>
/// <param name="ExternalTaskId">Stable across redeliveries of the same external task.</param>
/// <param name="Topic">The topic the workflow element names.</param>
/// <param name="ProcessInstanceId">The workflow instance that reached the element.</param>
/// <param name="Variables">The instance's variables, by name.</param>
public sealed record ExternalTaskContext(
    string ExternalTaskId,
    string Topic,
    string ProcessInstanceId,
    IReadOnlyDictionary<string, JsonElement> Variables);
