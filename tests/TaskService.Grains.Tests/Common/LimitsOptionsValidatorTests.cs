using TaskService.Common;

namespace TaskService.Grains.Tests.Common;

public sealed class LimitsOptionsValidatorTests
{
    [Fact]
    public void TheDefaultLimitsAreValidAndTheirLargestEventFitsTheStreams()
    {
        var limits = new LimitsOptions();

        Assert.True(new LimitsOptionsValidator().Validate(null, limits).Succeeded);
        Assert.True(LimitsOptionsValidator.LargestEventBytes(limits) < LimitsOptionsValidator.StreamMessageCapacityBytes);
    }

    [Theory]
    [InlineData(nameof(LimitsOptions.MaxEventPayloadBytes))]
    [InlineData(nameof(LimitsOptions.MaxTextLength))]
    public void LimitsThatAdmitAnEventTheStreamsCannotCarryAreRefusedNamingTheSetting(string raised)
    {
        var limits = new LimitsOptions();
        if (raised == nameof(LimitsOptions.MaxEventPayloadBytes))
        {
            limits.MaxEventPayloadBytes = 2 * 1024 * 1024;
        }
        else
        {
            limits.MaxTextLength = 300_000;
        }

        var result = new LimitsOptionsValidator().Validate(null, limits);

        Assert.True(result.Failed);
        Assert.Contains("TaskService:Limits:MaxEventPayloadBytes", result.FailureMessage);
        Assert.Contains("streams", result.FailureMessage);
    }

    [Fact]
    public void ALimitOfZeroOrLessIsRefusedNamingTheSetting()
    {
        var limits = new LimitsOptions { MaxJsonDepth = 0, MaxKeyLength = -1, RegexMatchTimeout = TimeSpan.Zero };

        var result = new LimitsOptionsValidator().Validate(null, limits);

        Assert.True(result.Failed);
        Assert.Contains("TaskService:Limits:MaxJsonDepth", result.FailureMessage);
        Assert.Contains("TaskService:Limits:MaxKeyLength", result.FailureMessage);
        Assert.Contains("TaskService:Limits:RegexMatchTimeout", result.FailureMessage);
    }
}
