namespace TaskService.Queries;

/// <summary>The fields of a queryable collection, as they are named in the HTTP contract.</summary>
public sealed class EntitySchema
{
    public EntitySchema(EntityKind kind, string name, IReadOnlyDictionary<string, FieldType> fields, IReadOnlyList<SortOrder> defaultOrder,
        IReadOnlyList<EntityRelation>? relations = null)
    {
        Relations = (relations ?? []).ToDictionary(r => r.Name, StringComparer.Ordinal);
        Kind = kind;
        Name = name;
        Fields = fields;
        DefaultOrder = defaultOrder;
    }

    public EntityKind Kind { get; }

    /// <summary>How error messages name the collection, for example <c>task</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// <see cref="Name"/> with its indefinite article: <c>an event</c>, <c>a task</c>. Every name here that starts with a vowel
    /// letter starts with a vowel sound, but for <c>u</c>, said "you" in the one that does (<c>user task</c>).
    /// </summary>
    public string NameWithArticle => (Name.Length > 0 && "aeioAEIO".Contains(Name[0], StringComparison.Ordinal) ? "an " : "a ") + Name;

    public IReadOnlyDictionary<string, FieldType> Fields { get; }

    /// <summary>The order applied after any requested order, so that paging is stable.</summary>
    public IReadOnlyList<SortOrder> DefaultOrder { get; }

    /// <summary>The relations a filter's <c>include</c> may name.</summary>
    public IReadOnlyDictionary<string, EntityRelation> Relations { get; }

    /// <summary>
    /// The values a string field can hold, for the fields that hold one of a few (a status); a filter comparing one with any
    /// other value is refused.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Values { get; private init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>This schema, with <paramref name="field"/> holding only <paramref name="values"/>.</summary>
    public EntitySchema WithValues(string field, IReadOnlyList<string> values) =>
        new(Kind, Name, Fields, DefaultOrder, [.. Relations.Values])
        {
            Values = new Dictionary<string, IReadOnlyList<string>>(Values, StringComparer.Ordinal) { [field] = values },
        };

    public bool TryGetField(string name, out FieldType type) => Fields.TryGetValue(name, out type);
}
