using System.Net;
using System.Text.Json;
using Npgsql;

namespace TaskService.Postgres.Tests.Durability;

/// <summary>
/// A ready silo whose PostgreSQL stops answering reports itself not ready, naming the check and the reason, and its API answers
/// 503 with Retry-After (never 500) until the database is back.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class PostgresOutageHealthTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WhenPostgresStopsAcceptingConnectionsReadinessSaysWhyAndTheApiAnswers503UntilItIsBack()
    {
        await using var service = await DurableService.CreateAsync("pg_outage");
        var silo = await service.StartSiloAsync("silo", DurableService.NewSiloPorts());
        using var http = new HttpClient { BaseAddress = new Uri(silo.HttpUrl), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("Healthy", Check(await ReadyAsync(http), "postgresql").Status);

        // The silo's database stops taking connections and loses the ones it had: to the silo, PostgreSQL is down.
        var database = new NpgsqlConnectionStringBuilder(service.ConnectionString).Database!;
        await SetAcceptingConnectionsAsync(database, false);
        try
        {
            var report = await Eventually.ReturnsAsync(
                () => ReadyAsync(http),
                // The first check may meet a pooled connection as it is terminated; the next ones are refused a connection.
                r => r.Status == HttpStatusCode.ServiceUnavailable && Check(r, "postgresql") is ("Unhealthy", { } why)
                     && why.Contains("not currently accepting connections", StringComparison.Ordinal),
                Deadline,
                "readiness answers 503 with the postgresql check Unhealthy, saying why",
                service.Outputs, retryOnError: true);

            Assert.Equal("Unhealthy", report.Body.GetProperty("status").GetString());
            var (_, reason) = Check(report, "postgresql");
            Assert.Contains("PostgreSQL cannot be reached", reason, StringComparison.Ordinal);

            // Liveness is the process alone.
            using var live = await http.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);

            // The API says the service is unavailable for now, never that it failed: a read, a write and a trigger.
            using var api = service.Client(silo, TimeSpan.FromSeconds(60));
            foreach (var (method, path, body) in new[]
            {
                ("GET", "/tasks/count", (string?)null),
                ("POST", "/events/mapping", "{\"eventKey\": \"outage.key\", \"workflowKey\": \"outage-process\"}"),
                ("POST", "/events/trigger", "{\"key\": \"outage.key\", \"payload\": {}}"),
            })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (body is not null)
                {
                    request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                }

                using var response = await api.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{method} {path} during the outage answered {(int)response.StatusCode}: {text}\n{service.Outputs()}");
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("PostgreSQL", text, StringComparison.Ordinal);
                Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
            }

            // Once PostgreSQL takes connections again, so does the API.
            await SetAcceptingConnectionsAsync(database, true);
            await Eventually.ReturnsAsync(
                async () => (await api.GetAsync("/tasks/count")).StatusCode, s => s == HttpStatusCode.OK, Deadline,
                "the API answers again once PostgreSQL takes connections", service.Outputs, retryOnError: true);
        }
        finally
        {
            await SetAcceptingConnectionsAsync(database, true);
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/health/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static (string? Status, string? Reason) Check((HttpStatusCode Status, JsonElement Body) report, string name)
    {
        var check = report.Body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        return (check.GetProperty("status").GetString(), check.TryGetProperty("description", out var description) ? description.GetString() : null);
    }

    private static async Task SetAcceptingConnectionsAsync(string database, bool accepting)
    {
        await using var connection = new NpgsqlConnection(PostgresServer.AdminConnectionString);
        await connection.OpenAsync();
        var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using (var alter = new NpgsqlCommand($"ALTER DATABASE {quoted} ALLOW_CONNECTIONS {(accepting ? "true" : "false")}", connection))
        {
            await alter.ExecuteNonQueryAsync();
        }

        if (!accepting)
        {
            await using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1", connection);
            terminate.Parameters.AddWithValue(database);
            await terminate.ExecuteScalarAsync();
        }
    }
}
