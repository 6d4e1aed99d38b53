using System.Net;
using System.Security.Cryptography;

namespace TaskService.Postgres.Tests.Durability;

/// <summary>A silo started with a secrets key that cannot decrypt the stored client app secrets does not report itself ready.</summary>
[Collection(DurabilityCollection.Name)]
public sealed class SecretsKeyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ASiloWithAKeyThatCannotDecryptTheStoredSecretsIsUnhealthyAndLogsWhy()
    {
        await using var service = await DurableService.CreateAsync("secrets_key");
        var ports = DurableService.NewSiloPorts();
        var first = await service.StartSiloAsync("silo (the key the secrets were written with)", ports);
        using (var api = service.Client(first))
        {
            await ClientAppCredentials.CreateAsync(api);
        }

        await first.KillAsync();
        var wrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var second = service.StartSilo("silo (another key)", ports, new Dictionary<string, string> { ["TaskService__Secrets__Key"] = wrongKey });

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.ReturnsAsync(
            async () =>
            {
                try
                {
                    using var response = await http.GetAsync($"{second.HttpUrl}/health/ready");
                    return response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    return (HttpStatusCode?)null;
                }
            },
            status => status == HttpStatusCode.ServiceUnavailable,
            Deadline,
            "readiness answers 503 Unhealthy",
            service.Outputs, retryOnError: true);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(second.Output),
            output => output.Contains("cannot decrypt the stored secrets of 1 of 1 client app(s)", StringComparison.Ordinal),
            Deadline,
            "the reason is logged",
            service.Outputs, retryOnError: true);
        // The answer names the check and says why.
        using (var ready = await http.GetAsync($"{second.HttpUrl}/health/ready"))
        {
            var report = System.Text.Json.JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
            var secrets = report.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "client-app-secrets");
            Assert.Equal("Unhealthy", secrets.GetProperty("status").GetString());
            Assert.Contains("cannot decrypt the stored secrets of 1 of 1 client app(s)", secrets.GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        using var live = await http.GetAsync($"{second.HttpUrl}/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
