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

    public IReadOnlyList<NpgsqlBatchCommand> Commands { get; } = commands;

    /// <summary>How many of <see cref="Commands"/> return rows (a RETURNING clause or a SELECT); their rows are kept.</summary>
    public int ResultSets { get; } = resultSets;

    /// <summary>The position of the first of <see cref="Commands"/> in the batch being run.</summary>
    public int FirstCommand { get; set; }

    /// <summary>The rows of each result set, in order, as read in the batch being run.</summary>
    public List<List<object?>> Rows { get; } = [];

    public bool Holds(int commandIndex) => commandIndex >= FirstCommand && commandIndex < FirstCommand + Commands.Count;

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
