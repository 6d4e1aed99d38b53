using TaskService.Queries;

namespace TaskService.Storage.Postgres;

/// <summary>
/// One queryable field of an entity and the column that holds it. <see cref="Sql"/> is a fixed, quoted identifier written
/// in this assembly; filter text only ever selects a column through <see cref="PostgresEntityTable.TryGetColumn"/>.
/// </summary>
public sealed record PostgresColumn(string Field, string Sql, FieldType Type, PostgresColumnKind Kind);
