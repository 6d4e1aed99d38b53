using System.Text.Json;
using Orleans.Serialization.Cloning;

namespace TaskService.Serialization;

/// <summary>
/// Passes a <see cref="JsonElement"/> to a grain in the same silo as it is, instead of writing it out as text and parsing that
/// again (the surrogate's way, which cost a string and a document per JSON value per call). A JSON value cannot be changed, and
/// every one this service hands to a grain is detached from any disposable document (parsed and cloned, or deserialized), so
/// caller and grain may share it.
/// </summary>
[RegisterCopier]
public sealed class JsonElementCopier : IDeepCopier<JsonElement>, IOptionalDeepCopier
{
    public JsonElement DeepCopy(JsonElement input, CopyContext context) => input;

    public bool IsShallowCopyable() => true;
}
