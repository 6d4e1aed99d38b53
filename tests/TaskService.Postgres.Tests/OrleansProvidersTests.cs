using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Runtime;
using TaskService.Postgres.Tests.Orleans;

namespace TaskService.Postgres.Tests;

/// <summary>
/// Orleans' ADO.NET providers (invariant Npgsql) on a database prepared only by our migrations: if a query text, parameter or
/// column of scripts/sql did not match what the 10.4.2 providers expect, these silos would not start or these calls would fail.
/// </summary>
public sealed class OrleansProvidersTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private const int Active = 3;
    private const int Dead = 6;

    [Fact]
    public async Task AClientFindsTheSiloThroughMembershipAndGrainStateIsWrittenReadAndCleared()
    {
        var clusterId = NewClusterId();
        using var silo = PostgresOrleans.BuildSilo(database.ConnectionString, clusterId);
        await silo.StartAsync();
        try
        {
            // The client knows no address: it finds the silo's gateway in the membership table (GatewaysQueryKey).
            using var client = PostgresOrleans.BuildClient(database.ConnectionString, clusterId);
            await client.StartAsync();
            var key = $"probe-{Guid.NewGuid():N}";
            var grain = client.Services.GetRequiredService<IClusterClient>().GetGrain<IProbeGrain>(key);

            await grain.SetAsync("first");   // first write: insert, version 1
            await grain.SetAsync("second");  // update of version 1, version 2
            await grain.DeactivateAsync();

            Assert.Equal("second", await grain.GetAsync()); // a new activation read it back from PostgreSQL
            Assert.Equal((2, true), await StorageRowAsync(key));

            await grain.ClearAsync();
            Assert.Equal((3, false), await StorageRowAsync(key));
            await grain.DeactivateAsync();
            Assert.Null(await grain.GetAsync());

            await grain.SetAsync("third");   // written again after the clear, on top of version 3
            Assert.Equal((4, true), await StorageRowAsync(key));

            await client.StopAsync();
        }
        finally
        {
            await silo.StopAsync();
        }
    }

    [Fact]
    public async Task AReminderIsStoredFoundByGrainAndByHashRangeAndDeleted()
    {
        using var silo = PostgresOrleans.BuildSilo(database.ConnectionString, NewClusterId());
        await silo.StartAsync();
        try
        {
            var grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IProbeGrain>($"reminder-{Guid.NewGuid():N}");
            var grainId = grain.GetGrainId();

            await grain.RegisterReminderAsync("tick");

            Assert.True(await grain.HasReminderAsync("tick"));
            Assert.Equal(1, await ReminderRowsAsync(grainId));

            // The reminder table as the silo's reminder service reads it: by grain, by name, and by ring range, both a range
            // that does not wrap around (ReadRangeRows1Key) and one that does (ReadRangeRows2Key).
            var table = silo.Services.GetRequiredService<IReminderTable>();
            var hash = grainId.GetUniformHashCode();
            Assert.Contains((await table.ReadRows(grainId)).Reminders, r => r.ReminderName == "tick");
            Assert.NotNull(await table.ReadRow(grainId, "tick"));
            Assert.Contains((await table.ReadRows(unchecked(hash - 1), hash)).Reminders, r => r.GrainId == grainId);
            Assert.Contains((await table.ReadRows(unchecked(hash + 1), hash)).Reminders, r => r.GrainId == grainId);
            Assert.DoesNotContain((await table.ReadRows(hash, unchecked(hash + 1000))).Reminders, r => r.GrainId == grainId);

            await grain.UnregisterReminderAsync("tick");

            Assert.Equal(0, await ReminderRowsAsync(grainId));
            Assert.False(await grain.HasReminderAsync("tick"));
        }
        finally
        {
            await silo.StopAsync();
        }
    }

    [Fact]
    public async Task ASiloJoinsAfterAnotherLeftAndCleansUpTheDeadSilosRow()
    {
        var clusterId = NewClusterId();
        SiloAddress firstAddress;
        using (var first = PostgresOrleans.BuildSilo(database.ConnectionString, clusterId))
        {
            await first.StartAsync();
            firstAddress = first.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            Assert.Equal(Active, await SiloStatusAsync(clusterId, firstAddress));
            await first.StopAsync();
        }

        Assert.Equal(Dead, await SiloStatusAsync(clusterId, firstAddress)); // a graceful stop marks the silo dead

        using var second = PostgresOrleans.BuildSilo(database.ConnectionString, clusterId);
        await second.StartAsync();
        try
        {
            var secondAddress = second.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var membership = second.Services.GetRequiredService<IMembershipTable>();
            var all = await membership.ReadAllAsync();
            Assert.Contains(all.Members, m => m.Item1.SiloAddress.Equals(secondAddress) && m.Item1.Status == SiloStatus.Active);
            Assert.Contains(all.Members, m => m.Item1.SiloAddress.Equals(firstAddress) && m.Item1.Status == SiloStatus.Dead);

            await membership.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddSeconds(1));

            Assert.Null(await SiloStatusAsync(clusterId, firstAddress));
            Assert.Equal(Active, await SiloStatusAsync(clusterId, secondAddress));
        }
        finally
        {
            await second.StopAsync();
        }
    }

    private static string NewClusterId() => $"pg-tests-{Guid.NewGuid():N}";

    private async Task<(int Version, bool HasPayload)> StorageRowAsync(string key)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT Version, PayloadBinary IS NOT NULL FROM OrleansStorage WHERE ServiceId = @service AND GrainIdExtensionString = @key",
            connection);
        command.Parameters.AddWithValue("service", PostgresOrleans.ServiceId);
        command.Parameters.AddWithValue("key", key);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"No OrleansStorage row for {key}.");
        var row = (reader.GetInt32(0), reader.GetBoolean(1));
        Assert.False(await reader.ReadAsync(), $"More than one OrleansStorage row for {key}.");
        return row;
    }

    private async Task<long> ReminderRowsAsync(GrainId grainId)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM OrleansRemindersTable WHERE ServiceId = @service AND GrainId = @grain", connection);
        command.Parameters.AddWithValue("service", PostgresOrleans.ServiceId);
        command.Parameters.AddWithValue("grain", grainId.ToString());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<int?> SiloStatusAsync(string clusterId, SiloAddress silo)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT Status FROM OrleansMembershipTable
            WHERE DeploymentId = @cluster AND Address = @address AND Port = @port AND Generation = @generation
            """,
            connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        command.Parameters.AddWithValue("address", silo.Endpoint.Address.ToString());
        command.Parameters.AddWithValue("port", silo.Endpoint.Port);
        command.Parameters.AddWithValue("generation", silo.Generation);
        return (int?)await command.ExecuteScalarAsync();
    }
}
