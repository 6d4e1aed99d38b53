using Npgsql;

namespace TaskService.Storage.Postgres;

/// <summary>
/// A compiled LoopBack filter: SQL fragments that name only fixed columns and <c>$n</c> placeholders, and the parameters that
/// carry every value. Compose as <c>SELECT ... FROM t WHERE {Where} ORDER BY {OrderBy} {Paging}</c>.
/// </summary>
/// <param name="Where">A boolean expression; <c>TRUE</c> when there is no where clause.</param>
/// <param name="OrderBy">The requested order followed by the schema's default order; never empty.</param>
/// <param name="Paging"><c>LIMIT $n OFFSET $m</c>, either part, or empty.</param>
/// <param name="Parameters">Positional parameters: the first is <c>$1</c>.</param>
public sealed record SqlFilter(string Where, string OrderBy, string Paging, IReadOnlyList<NpgsqlParameter> Parameters);
