using System.Text.Json;

namespace TaskService.Serialization;

/// <summary>Carries a <see cref="JsonElement"/> across the Orleans wire as its raw JSON text.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.JsonElementSurrogate")]
public readonly struct JsonElementSurrogate
{
    public JsonElementSurrogate(string json) => Json = json;

    [Id(0)]
    public string Json { get; }
}
