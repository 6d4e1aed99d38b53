using System.Text.Json;

namespace TaskService.Serialization;

/// <summary>Where JSON text stopped being readable, in an answer's words: "line 1, position 10" (both counted from 1).</summary>
public static class JsonErrorPosition
{
    public static string Describe(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return $"line {(exception.LineNumber ?? 0) + 1}, position {(exception.BytePositionInLine ?? 0) + 1}";
    }
}
