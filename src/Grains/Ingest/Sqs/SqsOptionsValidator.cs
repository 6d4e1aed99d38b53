using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using TaskService.Common;

namespace TaskService.Connectors.Sqs;

/// <summary>Checks <see cref="SqsOptions"/> at start, with messages that name the setting to fix.</summary>
public sealed partial class SqsOptionsValidator : IValidateOptions<SqsOptions>
{
    private const string Section = SqsOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, SqsOptions options)
    {
        var failures = new List<string>();
        OptionsAnnotations.Validate(options.Incoming, $"{Section}:Incoming", failures);

        if (options.ServiceUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"{Section}:ServiceUrl must be an absolute http or https URL.");
        }

        if (!string.IsNullOrWhiteSpace(options.Region) && !RegionName().IsMatch(options.Region.Trim()))
        {
            failures.Add($"{Section}:Region holds '{options.Region}', which is not an AWS region name such as eu-west-1.");
        }

        var incoming = options.Incoming;
        if (incoming.Enabled)
        {
            if (incoming.Queues.Count == 0 || incoming.Queues.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{Section}:Incoming:Queues must list at least one queue name or URL, none of them empty.");
            }

            foreach (var queue in incoming.Queues)
            {
                CheckQueue(queue, "Incoming:Queues", failures);
            }

            CheckQueue(incoming.DeadLetterQueue, "Incoming:DeadLetterQueue", failures);

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
        else if (options.Outgoing.Enabled)
        {
            CheckQueue(options.Outgoing.Queue, "Outgoing:Queue", failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// A queue is a name (1 to 80 letters, digits, '-' or '_', a FIFO queue's ending in <c>.fifo</c>) or an http(s) queue URL whose
    /// last path segment is such a name (<c>https://sqs.eu-west-1.amazonaws.com/123456789012/orders</c>). An empty one is reported
    /// by the check that requires the setting.
    /// </summary>
    private static void CheckQueue(string? queue, string setting, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(queue))
        {
            return;
        }

        var trimmed = queue.Trim();
        var isUrl = Uri.TryCreate(trimmed, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);
        if (isUrl && (url!.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0 || url.AbsolutePath.Trim('/').Split('/').Length < 2))
        {
            failures.Add($"{Section}:{setting} holds '{trimmed}', which is not a queue URL: write https://sqs.<region>.amazonaws.com/<account>/<queue> (no credentials, query or fragment), or the queue's name.");
        }
        else if (!QueueName().IsMatch(SqsQueue.NameOf(trimmed)) || SqsQueue.NameOf(trimmed).Length > 80)
        {
            failures.Add($"{Section}:{setting} holds '{trimmed}', which is neither a queue name (1 to 80 letters, digits, '-' or '_', FIFO queues ending in .fifo) nor an http(s) queue URL.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+(\\.fifo)?$")]
    private static partial Regex QueueName();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionName();
}
