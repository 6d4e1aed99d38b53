using TaskService.Workflows.Camunda;

namespace TaskService.Camunda.Tests;

/// <summary>A Camunda configuration that cannot reach an engine stops the silo at start with a message naming the setting.</summary>
public sealed class CamundaOptionsValidatorTests
{
    [Theory]
    [InlineData(null, "is required")]
    [InlineData("camunda:8080", "absolute http or https URL")]
    [InlineData("ftp://camunda:8080", "absolute http or https URL")]
    [InlineData("/engine-rest", "absolute http or https URL")]
    [InlineData("http://admin:secret@camunda:8080", "must not hold credentials")]
    [InlineData("http://camunda:8080/engine-rest?x=1", "must not have a query")]
    public void ABaseUrlThatIsNotAnEnginesAddressIsRefusedNamingTheSetting(string? baseUrl, string reason)
    {
        var options = new CamundaOptions { BaseUrl = baseUrl is null ? null : new Uri(baseUrl, UriKind.RelativeOrAbsolute) };

        var result = new CamundaOptionsValidator().Validate(null, options);

        var failure = Assert.Single(result.Failures ?? []);
        Assert.StartsWith("TaskService:Camunda:BaseUrl ", failure, StringComparison.Ordinal);
        Assert.Contains(reason, failure, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("demo", null)]
    [InlineData(null, "demo")]
    public void AUserWithoutAPasswordOrAPasswordWithoutAUserIsRefused(string? username, string? password)
    {
        var options = new CamundaOptions { BaseUrl = new Uri("http://camunda:8080"), Username = username, Password = password };

        var failure = Assert.Single(new CamundaOptionsValidator().Validate(null, options).Failures ?? []);
        Assert.Contains("TaskService:Camunda:Username and TaskService:Camunda:Password", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void AFirstBackoffLongerThanItsCapIsRefused()
    {
        var options = new CamundaOptions
        {
            BaseUrl = new Uri("http://camunda:8080"),
            PollBackoff = TimeSpan.FromMinutes(5),
            MaxPollBackoff = TimeSpan.FromSeconds(1),
            RetryTimeout = TimeSpan.FromHours(1),
        };

        var failures = new CamundaOptionsValidator().Validate(null, options).Failures ?? [];

        Assert.Contains(failures, f => f.StartsWith("TaskService:Camunda:PollBackoff ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("TaskService:Camunda:RetryTimeout ", StringComparison.Ordinal));
    }

    [Fact]
    public void AnOutOfRangeNumberIsRefusedNamingTheSetting()
    {
        var options = new CamundaOptions { BaseUrl = new Uri("http://camunda:8080"), MaxTasks = 0 };

        var failure = Assert.Single(new CamundaOptionsValidator().Validate(null, options).Failures ?? []);
        Assert.StartsWith("TaskService:Camunda:MaxTasks:", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://camunda:8080", "", "")]
    [InlineData("https://10.0.0.7:8443/engine-rest", "demo", "demo")]
    [InlineData("http://127.0.0.1:8080", null, null)]
    public void AnHttpAddressOnAnyNetworkWithBothOrNoCredentialsPasses(string baseUrl, string? username, string? password)
    {
        var options = new CamundaOptions { BaseUrl = new Uri(baseUrl), Username = username, Password = password };

        var result = new CamundaOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, string.Join("; ", result.Failures ?? []));
    }
}
