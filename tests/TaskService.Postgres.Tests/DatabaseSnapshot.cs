using System.Text;
using Npgsql;

namespace TaskService.Postgres.Tests;

/// <summary>
/// Everything the migrations define, as text: the columns, constraints, indexes and functions of the schemas <c>main</c> and
/// <c>public</c>, the rows of OrleansQuery and the journal. Two equal snapshots mean nothing changed.
/// </summary>
internal static class DatabaseSnapshot
{
    private static readonly (string Name, string Sql)[] Parts =
    [
        ("columns", """
            SELECT table_schema, table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
            FROM information_schema.columns
            WHERE table_schema IN ('main', 'public')
            ORDER BY table_schema, table_name, ordinal_position
            """),
        ("constraints", """
            SELECT n.nspname, c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname IN ('main', 'public')
            ORDER BY 1, 2, 3
            """),
        ("indexes", """
            SELECT schemaname, tablename, indexname, indexdef
            FROM pg_indexes
            WHERE schemaname IN ('main', 'public')
            ORDER BY 1, 2, 3
            """),
        ("functions", """
            SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), md5(p.prosrc)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname IN ('main', 'public')
            ORDER BY 1, 2, 3
            """),
        ("queries", "SELECT QueryKey, md5(QueryText) FROM OrleansQuery ORDER BY QueryKey"),
        ("journal", "SELECT schemaversionsid, scriptname, applied FROM main.schema_versions ORDER BY schemaversionsid"),
    ];

    public static async Task<string> TakeAsync(string connectionString)
    {
        var text = new StringBuilder();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var (name, sql) in Parts)
        {
            text.Append("== ").AppendLine(name);
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(i == 0 ? "" : " | ").Append(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
                }

                text.AppendLine();
            }
        }

        return text.ToString();
    }
}
