using System.Text.Json;

namespace TaskService.Serialization;

/// <summary>Lets contract records hold JSON payloads as <see cref="JsonElement"/>.</summary>
[RegisterConverter]
public sealed class JsonElementSurrogateConverter : IConverter<JsonElement, JsonElementSurrogate>
{
    public JsonElement ConvertFromSurrogate(in JsonElementSurrogate surrogate) =>
        JsonElementFactory.Parse(surrogate.Json);

    public JsonElementSurrogate ConvertToSurrogate(in JsonElement value) =>
        new(value.ValueKind == JsonValueKind.Undefined ? "null" : value.GetRawText());
}
