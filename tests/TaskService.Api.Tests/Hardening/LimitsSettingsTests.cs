using Microsoft.Extensions.Options;

namespace TaskService.Api.Tests.Hardening;

/// <summary>
/// A TaskService:Limits setting under which an accepted event could not be routed, or an accepted id not stored, stops the
/// start, naming the setting.
/// </summary>
public sealed class LimitsSettingsTests
{
    [Fact]
    public async Task AnEventPayloadLimitTheStreamsCannotCarryStopsTheStart()
    {
        await using var factory = new TaskServiceApiFactory
        {
            Overrides =
            {
                ["TaskService:Limits:MaxRequestBodyBytes"] = "4194304",
                ["TaskService:Limits:MaxEventPayloadBytes"] = "2097152",
            },
        };

        AssertStartStopped(factory, "TaskService:Limits:MaxEventPayloadBytes");
    }

    [Fact]
    public async Task AKeyLimitWiderThanThePostgresColumnsStopsTheStartOfASiloOnThatStore()
    {
        // The start stops before the silo connects anywhere: no database has to listen on the connection string's port.
        await using var factory = new TaskServiceApiFactory
        {
            Overrides =
            {
                ["ConnectionStrings:TaskService"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=none;Database=none",
                ["TaskService:Limits:MaxKeyLength"] = "201",
            },
        };

        var message = AssertStartStopped(factory, "TaskService:Limits:MaxKeyLength");
        Assert.Contains("201", message, StringComparison.Ordinal);
        Assert.Contains("200 or less", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyLimitWiderThanThePostgresColumnsIsKeptOnTheEmbeddedStore()
    {
        await using var factory = new TaskServiceApiFactory { Overrides = { ["TaskService:Limits:MaxKeyLength"] = "300" } };
        using var client = factory.CreateAdminClient();

        // A task id of 300 characters is a key the limit admits: looked up (and not found), not refused as too long.
        var response = await client.GetAsync($"/tasks/{new string('t', 300)}");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>Starts the service, which must fail with a start-up validation naming <paramref name="setting"/>; returns its message.</summary>
    private static string AssertStartStopped(TaskServiceApiFactory factory, string setting)
    {
        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateAnonymousClient());

        var validation = exception as OptionsValidationException ?? exception.InnerException as OptionsValidationException
            ?? (exception as AggregateException)?.InnerExceptions.OfType<OptionsValidationException>().FirstOrDefault();
        Assert.True(validation is not null, exception.ToString());
        Assert.Contains(setting, validation.Message, StringComparison.Ordinal);
        return validation.Message;
    }
}
