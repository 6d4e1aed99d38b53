using Npgsql;

namespace TaskService.Testing;

/// <summary>
/// The PostgreSQL server the tests run against: the throw-away one <c>scripts/test.sh</c> starts, named by the environment
/// variable <c>TASKSERVICE_TEST_POSTGRES</c> (an Npgsql connection string of a user that may create databases). Each test
/// area works in a database of its own, created fresh and dropped afterwards, so tests never see each other's rows.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "TASKSERVICE_TEST_POSTGRES";

    /// <summary>The connection string of the server's maintenance database (from <see cref="EnvironmentVariable"/>).</summary>
    public static string AdminConnectionString
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException(
                    $"{EnvironmentVariable} is not set: run scripts/test.sh, which starts PostgreSQL and sets it " +
                    "(or set it to \"Host=...;Port=...;Username=...;Password=...;Database=postgres\" of a server of yours).");
            }

            return value;
        }
    }

    /// <summary>Creates an empty database with a unique name that starts with <paramref name="prefix"/>; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var safePrefix = new string(prefix.ToLowerInvariant().Where(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_').ToArray());
        if (safePrefix.Length == 0 || safePrefix.Length > 30)
        {
            throw new ArgumentException("The prefix needs 1 to 30 letters, digits or underscores.", nameof(prefix));
        }

        var name = $"{safePrefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing whatever is still connected to it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database
            ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));
        await using (var probe = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(probe);
        }

        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name.Replace("\"", "\"\"")}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
