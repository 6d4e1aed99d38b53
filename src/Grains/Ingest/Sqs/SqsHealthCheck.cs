using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace TaskService.Connectors.Sqs;

/// <summary>Ready when every configured queue (incoming, dead-letter, outgoing) answers within a few seconds.</summary>
public sealed class SqsHealthCheck(IOptions<SqsOptions> options) : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly AmazonSQSClient _client = SqsClientFactory.Create(options.Value);

    /// <summary>Every queue the configuration names, once.</summary>
    public static IReadOnlyList<string> ConfiguredQueues(SqsOptions sqs)
    {
        var queues = new List<string>();
        if (sqs.Incoming.Enabled)
        {
            queues.AddRange(sqs.Incoming.Queues);
            if (!string.IsNullOrWhiteSpace(sqs.Incoming.DeadLetterQueue))
            {
                queues.Add(sqs.Incoming.DeadLetterQueue);
            }
        }

        if (sqs.Outgoing.Enabled && !string.IsNullOrWhiteSpace(sqs.Outgoing.Queue))
        {
            queues.Add(sqs.Outgoing.Queue);
        }

        return queues.Distinct(StringComparer.Ordinal).ToList();
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var queues = ConfiguredQueues(options.Value);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var failures = new List<string>();
        foreach (var configured in queues)
        {
            try
            {
                var queue = await SqsQueue.ResolveAsync(_client, configured, timeout.Token);
                await _client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queue.Url, AttributeNames = ["QueueArn"] }, timeout.Token);
            }
            catch (AmazonServiceException exception)
            {
                failures.Add($"{SqsQueue.NameOf(configured)}: {exception.ErrorCode ?? "error"}");
            }
            catch (Exception exception) when (exception is AmazonClientException or HttpRequestException or OperationCanceledException)
            {
                failures.Add($"{SqsQueue.NameOf(configured)}: not reachable");
            }
        }

        return failures.Count == 0
            ? HealthCheckResult.Healthy($"SQS answers for {queues.Count} queue(s).")
            : HealthCheckResult.Unhealthy($"SQS queues do not answer ({string.Join("; ", failures)}). Check TaskService:Sqs.");
    }

    public void Dispose() => _client.Dispose();
}
