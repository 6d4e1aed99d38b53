using Amazon.SQS;
using Amazon.SQS.Model;

namespace TaskService.Connectors.Sqs;

/// <summary>A queue as configured (a name or a URL) and resolved to its URL.</summary>
public sealed record SqsQueue(string Name, string Url)
{
    /// <summary>FIFO queues' names end in <c>.fifo</c>.</summary>
    public bool IsFifo => Name.EndsWith(".fifo", StringComparison.Ordinal);

    /// <summary>The queue's name: the setting itself, or the last path segment of a queue URL.</summary>
    public static string NameOf(string nameOrUrl)
    {
        var trimmed = nameOrUrl.Trim();
        return Uri.TryCreate(trimmed, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url.AbsolutePath.TrimEnd('/').Split('/')[^1]
            : trimmed;
    }

    /// <summary>Takes a queue URL as it is; looks a name up with <c>GetQueueUrl</c>.</summary>
    public static async Task<SqsQueue> ResolveAsync(IAmazonSQS client, string nameOrUrl, CancellationToken cancellationToken)
    {
        var name = NameOf(nameOrUrl);
        if (!string.Equals(name, nameOrUrl.Trim(), StringComparison.Ordinal))
        {
            return new SqsQueue(name, nameOrUrl.Trim());
        }

        var response = await client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name }, cancellationToken);
        return new SqsQueue(name, response.QueueUrl);
    }
}
