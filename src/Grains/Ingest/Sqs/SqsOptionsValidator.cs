using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace TaskService.Connectors.Sqs;

/// <summary>Checks <see cref="SqsOptions"/> at start, with messages that name the setting to fix.</summary>
public sealed class SqsOptionsValidator : IValidateOptions<SqsOptions>
{
    private const string Section = SqsOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, SqsOptions options)
    {
        var failures = new List<string>();
        Annotations(options.Incoming, $"{Section}:Incoming", failures);

        if (options.ServiceUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"{Section}:ServiceUrl must be an absolute http or https URL.");
        }

        var incoming = options.Incoming;
        if (incoming.Enabled)
        {
            if (incoming.Queues.Count == 0 || incoming.Queues.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{Section}:Incoming:Queues must list at least one queue name or URL, none of them empty.");
            }

            if (incoming.KeySource != SqsEventKeySource.Queue && string.IsNullOrWhiteSpace(incoming.Key))
            {
                failures.Add($"{Section}:Incoming:Key must name the {(incoming.KeySource == SqsEventKeySource.Field ? "JSON field path" : "message attribute")} the event key comes from.");
            }

            if (incoming.DeadLetterQueue is { } deadLetter
                && incoming.Queues.Any(q => string.Equals(SqsQueue.NameOf(q), SqsQueue.NameOf(deadLetter), StringComparison.Ordinal)))
            {
                failures.Add($"{Section}:Incoming:DeadLetterQueue must not be one of the incoming queues.");
            }

            if (incoming.VisibilityTimeout < TimeSpan.FromSeconds(3))
            {
                failures.Add($"{Section}:Incoming:VisibilityTimeout must be at least 3 seconds (it is extended at a third of it).");
            }
        }

        if (options.Outgoing.Enabled && string.IsNullOrWhiteSpace(options.Outgoing.Queue))
        {
            failures.Add($"{Section}:Outgoing:Queue is required when outgoing SQS is enabled (a queue name or URL).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Annotations(object options, string section, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}
