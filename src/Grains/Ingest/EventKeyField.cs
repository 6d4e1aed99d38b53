using System.Text.Json;

namespace TaskService.Connectors;

/// <summary>
/// The event key read from a field of a message's JSON body, named by a dotted path (<c>order.type</c>), as the Kafka and SQS
/// connectors take it when their key source is a field: a string as it is, a number as written, anything else none.
/// </summary>
public static class EventKeyField
{
    /// <summary>The path's segments of a dotted field name.</summary>
    public static string[] Path(string? field) =>
        (field ?? string.Empty).Split('.', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The key at <paramref name="path"/> in <paramref name="payload"/>, or an empty string when there is none.</summary>
    public static string Read(JsonElement payload, string[] path)
    {
        var element = payload;
        foreach (var segment in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
            {
                return string.Empty;
            }
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString() ?? string.Empty,
            JsonValueKind.Number => element.GetRawText(),
            _ => string.Empty,
        };
    }
}
