using System.Collections.Frozen;
using TaskService.Queries;

namespace TaskService.Storage.Postgres;

/// <summary>
/// How one queryable collection is stored: its table and the column of each field. <see cref="Columns"/> is in the
/// declaration order of the entity's record, which is the property order of its JSON form.
/// </summary>
public sealed class PostgresEntityTable
{
    private readonly FrozenDictionary<string, PostgresColumn> _byField;

    public PostgresEntityTable(EntitySchema schema, string table, IReadOnlyList<PostgresColumn> columns, bool softDelete = false)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentNullException.ThrowIfNull(columns);
        Schema = schema;
        Table = table;
        Columns = columns;
        _byField = columns.ToFrozenDictionary(c => c.Field, StringComparer.Ordinal);
        Id = _byField["id"];
        SelectList = string.Join(", ", columns.Select(c => c.Sql));
        Visible = softDelete ? "NOT deleted" : "TRUE";
    }

    /// <summary>The condition of the rows reads see: soft-deleted rows are left out of every list, count and get.</summary>
    public string Visible { get; }

    public EntitySchema Schema { get; }

    /// <summary>The schema-qualified table name, for example <c>main.tasks</c>.</summary>
    public string Table { get; }

    public IReadOnlyList<PostgresColumn> Columns { get; }

    public PostgresColumn Id { get; }

    /// <summary>Every column, comma-separated, in <see cref="Columns"/> order.</summary>
    public string SelectList { get; }

    public bool TryGetColumn(string field, out PostgresColumn column) => _byField.TryGetValue(field, out column!);

    /// <summary>The columns of <paramref name="fields"/> in the order given (duplicates and unknown fields skipped), or all when null.</summary>
    public IReadOnlyList<PostgresColumn> Project(IReadOnlyList<string>? fields)
    {
        if (fields is null)
        {
            return Columns;
        }

        var projected = new List<PostgresColumn>(fields.Count);
        foreach (var field in fields)
        {
            if (TryGetColumn(field, out var column) && !projected.Contains(column))
            {
                projected.Add(column);
            }
        }

        return projected;
    }
}
