using Microsoft.Extensions.Options;
using TaskService.Common;

namespace TaskService.Workflows.Camunda;

/// <summary>Checks <see cref="CamundaOptions"/> at start, with messages that name the setting to fix.</summary>
public sealed class CamundaOptionsValidator : IValidateOptions<CamundaOptions>
{
    private const string Section = CamundaOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, CamundaOptions options)
    {
        var failures = new List<string>();
        OptionsAnnotations.Validate(options, Section, failures);
        if (BaseUrlProblem(options.BaseUrl) is { } problem)
        {
            failures.Add($"{Section}:BaseUrl {problem}");
        }

        if (string.IsNullOrEmpty(options.Username) != string.IsNullOrEmpty(options.Password))
        {
            failures.Add($"{Section}:Username and {Section}:Password go together: set both for HTTP basic authentication, or neither.");
        }

        if (options.PollBackoff > options.MaxPollBackoff)
        {
            failures.Add($"{Section}:PollBackoff ({options.PollBackoff}) must not be longer than {Section}:MaxPollBackoff ({options.MaxPollBackoff}).");
        }

        if (options.RetryTimeout > options.MaxRetryTimeout)
        {
            failures.Add($"{Section}:RetryTimeout ({options.RetryTimeout}) must not be longer than {Section}:MaxRetryTimeout ({options.MaxRetryTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? BaseUrlProblem(Uri? url)
    {
        const string Example = "such as http://camunda:8080";
        if (url is null)
        {
            return $"is required when {CamundaWorkflowEngineSetup.EngineSetting} is camunda: the engine's address, {Example}.";
        }

        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.Host.Length == 0)
        {
            return $"must be an absolute http or https URL, {Example}.";
        }

        if (url.UserInfo.Length > 0)
        {
            return $"must not hold credentials; set {Section}:Username and {Section}:Password instead.";
        }

        return url.Query.Length > 0 || url.Fragment.Length > 0
            ? $"must not have a query or fragment, {Example} (or http://camunda:8080/engine-rest)."
            : null;
    }
}
