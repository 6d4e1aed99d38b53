using Npgsql;

namespace TaskService.Storage.Postgres;

/// <summary>
/// One caller's statements in a <see cref="PostgresCommandBatcher"/> batch: how many of them return rows, how a row is read, and
/// what the caller gets back once the batch is committed.
/// </summary>
internal abstract class GroupWrite(
    string entity, IReadOnlyList<NpgsqlBatchCommand> commands, int resultSets, Func<NpgsqlDataReader, int, object?> readRow)
{
    /// <summary>What is written (<c>task</c>, <c>event</c>...), named in the error when PostgreSQL refuses the write's text.</summary>
    public string Entity { get; } = entity;

    /// <summary>The write's statements, or none when its statement is <see cref="Merged"/>.</summary>
    public IReadOnlyList<NpgsqlBatchCommand> Commands { get; } = commands;

    /// <summary>
    /// The statement this write runs together with the other writes of the batch that have the same one (built from each
    /// one's <see cref="MergeValues"/>), or null: the write runs its <see cref="Commands"/>. A merged write has one result set.
    /// </summary>
    public IMergedStatement? Merged { get; init; }

    /// <summary>This write's values for <see cref="Merged"/>.</summary>
    public object? MergeValues { get; init; }

    /// <summary>The statements this write adds to a batch at most.</summary>
    public int CommandCount => Merged is null ? Commands.Count : 1;

    /// <summary>How many of <see cref="Commands"/> return rows (a RETURNING clause or a SELECT); their rows are kept.</summary>
    public int ResultSets { get; } = resultSets;

    /// <summary>The position of the first of <see cref="Commands"/> in the batch being run.</summary>
    public int FirstCommand { get; set; }

    /// <summary>The rows of each result set, in order, as read in the batch being run.</summary>
    public List<List<object?>> Rows { get; } = [];

    public bool Holds(int commandIndex) => commandIndex >= FirstCommand && commandIndex < FirstCommand + Commands.Count;

    /// <summary>Reads the row the reader is on, of this write's result set <paramref name="set"/>.</summary>
    public object? ReadRow(NpgsqlDataReader reader, int set) => readRow(reader, set);

    /// <summary>Reads the result set the reader is on into <see cref="Rows"/>.</summary>
    public async Task ReadResultSetAsync(NpgsqlDataReader reader)
    {
        var set = Rows.Count;
        var rows = new List<object?>();
        while (await reader.ReadAsync())
        {
            rows.Add(readRow(reader, set));
        }

        Rows.Add(rows);
    }

    /// <summary>The batch holding this write committed.</summary>
    public abstract void Succeed();

    public abstract void Fail(Exception exception);
}

/// <summary>A <see cref="GroupWrite"/> whose caller gets a <typeparamref name="T"/> built from its rows after the commit.</summary>
internal sealed class GroupWrite<T>(
    string entity,
    IReadOnlyList<NpgsqlBatchCommand> commands,
    int resultSets,
    Func<NpgsqlDataReader, int, object?> readRow,
    Func<IReadOnlyList<List<object?>>, T> result)
    : GroupWrite(entity, commands, resultSets, readRow)
{
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _done.Task;

    public override void Succeed()
    {
        try
        {
            _done.TrySetResult(result(Rows));
        }
        catch (Exception exception)
        {
            _done.TrySetException(exception);
        }
    }

    public override void Fail(Exception exception) => _done.TrySetException(exception);
}
