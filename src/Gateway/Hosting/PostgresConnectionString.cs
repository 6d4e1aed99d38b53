using Npgsql;

namespace TaskService.Gateway.Hosting;

/// <summary>Reads <c>ConnectionStrings:TaskService</c> once at start, so that a malformed one stops the start naming it.</summary>
public static class PostgresConnectionString
{
    public const string Setting = "ConnectionStrings:TaskService";

    /// <summary>Nothing when <paramref name="connectionString"/> is empty (the embedded defaults) or well-formed.</summary>
    public static void Validate(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return;
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new InvalidOperationException(
                $"{Setting} is not a PostgreSQL connection string ({exception.Message.TrimEnd('.')}). Write it as " +
                "\"Host=...;Port=5432;Database=...;Username=...;Password=...\".", exception);
        }
    }
}
