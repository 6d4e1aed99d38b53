namespace TaskService.Gateway.Http;

/// <summary>
/// The fields a request body gives as null, noted by its properties' setters (the serializer calls a setter for a null it reads,
/// and none for a field left out): what lets a PATCH tell "clear it" from "keep it".
/// </summary>
public sealed class NullFields
{
    private readonly List<string> _names = [];

    /// <summary>The fields given as null, by their JSON names, in the order given.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Passes <paramref name="value"/> through, noting <paramref name="name"/> when it is null.</summary>
    public T Note<T>(T value, string name)
    {
        if (value is null && !_names.Contains(name))
        {
            _names.Add(name);
        }

        return value;
    }
}
