using System.Text.Json;

namespace TaskService.Serialization;

/// <summary>Builds detached <see cref="JsonElement"/> values that need no disposal.</summary>
public static class JsonElementFactory
{
    public static JsonElement Null { get; } = Parse("null");

    public static JsonElement EmptyObject { get; } = Parse("{}");

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static JsonElement From<T>(T value) => JsonSerializer.SerializeToElement(value, ContractJson.Options);
}
