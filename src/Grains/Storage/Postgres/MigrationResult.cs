namespace TaskService.Storage.Postgres;

/// <summary>What one run of <see cref="DatabaseMigrator.MigrateAsync"/> did.</summary>
/// <param name="Database">The database migrated, as <c>host:port/database</c> (no credentials).</param>
/// <param name="Applied">The scripts this run applied, in the order it applied them; empty when the database was up to date.</param>
/// <param name="AlreadyApplied">The scripts the journal recorded as applied before this run.</param>
public sealed record MigrationResult(string Database, IReadOnlyList<string> Applied, IReadOnlyList<string> AlreadyApplied)
{
    /// <summary>True when there was nothing to apply.</summary>
    public bool WasUpToDate => Applied.Count == 0;
}
