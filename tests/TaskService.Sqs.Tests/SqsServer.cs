using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace TaskService.Sqs.Tests;

/// <summary>
/// The SQS-protocol server the tests run against (fauxqs, started by <c>scripts/test.sh</c> on loopback and named by
/// <c>TASKSERVICE_TEST_SQS</c>), and a client of the tests' own to create queues, send and receive.
/// </summary>
public static class SqsServer
{
    public const string Region = "us-east-1";

    static SqsServer()
    {
        // The silos take their credentials from the standard AWS chain; the local server accepts any.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "test");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "test");
    }

    public static string Url => Environment.GetEnvironmentVariable("TASKSERVICE_TEST_SQS") is { Length: > 0 } url
        ? url
        : throw new InvalidOperationException("TASKSERVICE_TEST_SQS is not set: run the tests with scripts/test.sh, which starts an SQS server, or point it at one (http://127.0.0.1:4566).");

    public static AmazonSQSClient Client() =>
        new(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = Url, AuthenticationRegion = Region });

    /// <summary>Creates a queue with a new name starting with <paramref name="prefix"/>; FIFO when <paramref name="fifo"/>.</summary>
    public static async Task<(string Name, string Url)> CreateQueueAsync(IAmazonSQS client, string prefix, bool fifo = false)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 75)] + (fifo ? ".fifo" : string.Empty);
        var request = new CreateQueueRequest { QueueName = name, Attributes = [] };
        if (fifo)
        {
            request.Attributes["FifoQueue"] = "true";
        }

        var response = await client.CreateQueueAsync(request);
        return (name, response.QueueUrl);
    }

    /// <summary>Receives and deletes every message that arrives in the queue until <paramref name="count"/> were taken or the deadline passed.</summary>
    public static async Task<List<Message>> DrainAsync(IAmazonSQS client, string queueUrl, int count, TimeSpan timeout)
    {
        var taken = new List<Message>();
        var deadline = DateTime.UtcNow + timeout;
        while (taken.Count < count && DateTime.UtcNow < deadline)
        {
            var response = await client.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = 1,
                MessageSystemAttributeNames = ["All"],
                MessageAttributeNames = ["All"],
            });
            if (response.Messages is not { Count: > 0 } messages)
            {
                continue;
            }

            taken.AddRange(messages);
            await client.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
            {
                QueueUrl = queueUrl,
                Entries = messages.Select((m, i) => new DeleteMessageBatchRequestEntry { Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ReceiptHandle = m.ReceiptHandle }).ToList(),
            });
        }

        return taken;
    }
}
