using Npgsql;
using TaskService.Testing.Queries;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Storage.Postgres;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// The shared filter dataset (<see cref="FilterCases.Tasks"/> with their user tasks, and <see cref="IncludeCases.Workflows"/>) written through <see cref="ITaskServiceStore.SaveTaskAsync"/> into a
/// fresh PostgreSQL store and into the in-memory store, which is the reference behaviour.
/// </summary>
/// <remarks>
/// The in-memory store receives the rows as PostgreSQL reads them back: instants in UTC (t02's dueDate was given at +02:00)
/// and JSON documents in jsonb's key order. That is the same data, so both stores must answer every filter with the same JSON
/// text; <see cref="StoreRoundTripTests"/> shows separately that instants and documents survive the trip.
/// </remarks>
public sealed class FilterCaseStores : IAsyncLifetime
{
    private readonly MigratedDatabase _database = new();

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public PostgresTaskServiceStore Postgres { get; private set; } = null!;

    public InMemoryTaskServiceStore InMemory { get; } = new(TimeProvider.System);

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        DataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        Postgres = new PostgresTaskServiceStore(DataSource);
        foreach (var aggregate in FilterCases.Aggregates())
        {
            await Postgres.SaveTaskAsync(aggregate, []);
        }

        foreach (var workflow in IncludeCases.Workflows)
        {
            await Postgres.SaveWorkflowAsync(workflow);
            await InMemory.SaveWorkflowAsync(await Postgres.LoadWorkflowAsync(workflow.Workflow.Id) ?? throw new InvalidOperationException($"Workflow {workflow.Workflow.Id} was not stored."));
        }

        foreach (var task in FilterCases.Tasks)
        {
            var stored = await Postgres.LoadTaskAsync(task.Id) ?? throw new InvalidOperationException($"Task {task.Id} was not stored.");
            await InMemory.SaveTaskAsync(stored, []);
        }

        // A soft-deleted task is not loaded (it no longer exists for its grain); it is written as it is.
        await InMemory.SaveTaskAsync(FilterCases.Aggregates().Single(a => a.Task.Deleted), []);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await _database.DisposeAsync();
    }
}
