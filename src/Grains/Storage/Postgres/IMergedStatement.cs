using Npgsql;

namespace TaskService.Storage.Postgres;

/// <summary>
/// A statement that the writes of one kind in a <see cref="PostgresCommandBatcher"/> batch run as one multi-row statement:
/// PostgreSQL sets up each statement it runs (its tables, their indexes, its plan's nodes), which for a write of a few rows
/// costs more than the rows themselves, so one statement for all of them costs it much less than one each.
/// </summary>
internal interface IMergedStatement
{
    /// <summary>
    /// The statement for the values of one or more writes, in their order. Each row it returns starts with the position of the
    /// write it belongs to among them (an integer from 0); the rest of the row is read by that write.
    /// </summary>
    NpgsqlBatchCommand Build(IReadOnlyList<object?> values);
}
