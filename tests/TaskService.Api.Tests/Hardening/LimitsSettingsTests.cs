using Microsoft.Extensions.Options;

namespace TaskService.Api.Tests.Hardening;

/// <summary>A TaskService:Limits setting under which an accepted event could not be routed stops the start, naming the setting.</summary>
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

        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateAnonymousClient());

        var validation = exception as OptionsValidationException ?? exception.InnerException as OptionsValidationException
            ?? (exception as AggregateException)?.InnerExceptions.OfType<OptionsValidationException>().FirstOrDefault();
        Assert.True(validation is not null, exception.ToString());
        Assert.Contains("TaskService:Limits:MaxEventPayloadBytes", validation.Message);
    }
}
