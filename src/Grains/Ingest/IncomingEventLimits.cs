using System.Text.Json;
using TaskService.Common;
using TaskService.Serialization;

namespace TaskService.Connectors;

/// <summary>
/// The limits an event taken from a broker (Kafka, SQS) is held to, the same as one taken over HTTP (<see cref="LimitsOptions"/>):
/// payload size, JSON depth, well-formed Unicode and storable numbers, key length. A message that breaks one cannot become an
/// event; its connector dead-letters it, so it neither stalls its queue nor reaches the store.
/// </summary>
public static class IncomingEventLimits
{
    /// <summary>Parses <paramref name="utf8"/> as the payload, or tells in <paramref name="error"/> which limit it breaks.</summary>
    public static bool TryParsePayload(ReadOnlyMemory<byte> utf8, string what, LimitsOptions limits, out JsonElement payload, out string? error)
    {
        payload = default;
        if (utf8.Length > limits.MaxEventPayloadBytes)
        {
            error = $"The {what} is {utf8.Length} bytes; an event payload may be at most {limits.MaxEventPayloadBytes} (TaskService:Limits:MaxEventPayloadBytes).";
            return false;
        }

        JsonElement parsed;
        try
        {
            using var document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth });
            parsed = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            // System.Text.Json reports malformed text only by this exception, raised inside it.
            error = $"The {what} is not valid JSON nested at most {limits.MaxJsonDepth} deep (TaskService:Limits:MaxJsonDepth): " +
                $"check the syntax at {Serialization.JsonErrorPosition.Describe(exception)}.";
            return false;
        }

        if (WellFormedJson.Check(parsed, what) is { } problem)
        {
            error = problem.Detail;
            return false;
        }

        payload = parsed;
        error = null;
        return true;
    }

    /// <summary>Null when <paramref name="key"/> may be an event key, else why not.</summary>
    public static string? CheckKey(string key, LimitsOptions limits) =>
        key.Length > limits.MaxKeyLength || key.Any(char.IsControl)
            ? $"The event key must be at most {limits.MaxKeyLength} characters (TaskService:Limits:MaxKeyLength) without control characters."
            : null;
}
