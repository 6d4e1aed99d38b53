namespace TaskService.Storage.Postgres;

/// <summary>
/// A migration could not be applied. The message says what failed, on which database, and what to do about it; the script that
/// failed (if any) is in <see cref="Script"/>. A failed script is rolled back whole: nothing of it stays in the database.
/// </summary>
public sealed class MigrationException : Exception
{
    public MigrationException(string message, string? script = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Script = script;
    }

    /// <summary>The script that failed, e.g. <c>0002_orleans_clustering.sql</c>; null when the failure came before any script ran.</summary>
    public string? Script { get; }
}
