using System.Globalization;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace TaskService.ConnectorBenchmarks;

/// <summary>
/// Events in through an SQS queue, task-created out through another, on the SQS-protocol server at <c>serviceUrl</c>
/// (scripts/bench.sh --sqs starts one on loopback, as scripts/test.sh does). Credentials: any, for a local server.
/// </summary>
internal sealed class SqsTransport : IBenchTransport
{
    private const string Region = "us-east-1";
    private const int Senders = 8;
    private const int OutputReaders = 4;

    private readonly AmazonSQSClient _client;
    private readonly int _keys;
    private readonly string _input;
    private readonly string _output;
    private readonly OutputTally _tally = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _readers = [];
    private string? _inputUrl;
    private string? _outputUrl;

    public SqsTransport(Uri serviceUrl, int receiversPerQueue, int keys)
    {
        // The silo takes its credentials from the standard AWS chain; a local server accepts any.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "bench");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "bench");
        _client = new AmazonSQSClient(new BasicAWSCredentials("bench", "bench"), new AmazonSQSConfig { ServiceURL = serviceUrl.ToString(), AuthenticationRegion = Region });
        _keys = keys;
        var run = Guid.NewGuid().ToString("N")[..8];
        _input = $"bench-in-{run}";
        _output = $"bench-out-{run}";
        var arguments = new List<string>
        {
            $"--TaskService:Sqs:ServiceUrl={serviceUrl}",
            $"--TaskService:Sqs:Region={Region}",
            "--TaskService:Sqs:Incoming:Enabled=true",
            $"--TaskService:Sqs:Incoming:Queues:0={_input}",
            string.Create(CultureInfo.InvariantCulture, $"--TaskService:Sqs:Incoming:ReceiversPerQueue={receiversPerQueue}"),
            "--TaskService:Sqs:Outgoing:Enabled=true",
            $"--TaskService:Sqs:Outgoing:Queue={_output}",
        };
        if (keys > 1)
        {
            arguments.Add("--TaskService:Sqs:Incoming:KeySource=Field");
            arguments.Add("--TaskService:Sqs:Incoming:Key=type");
        }

        SiloArguments = arguments;
        EventKeys = keys > 1 ? BenchmarkEvents.Keys(keys) : [_input];
        Description = $"SQS, {receiversPerQueue} receiver(s) on the queue, server {serviceUrl}";
    }

    public string Description { get; }

    public IReadOnlyList<string> SiloArguments { get; }

    public IReadOnlyList<string> EventKeys { get; }

    public int Published => _tally.Count;

    public long LastPublishedAt => _tally.LastReceivedAt;

    public IReadOnlyCollection<double> PublishLatencies => _tally.Latencies;

    public IReadOnlyCollection<long> PublishedAt => _tally.MeasuredArrivals;

    public async Task PrepareAsync()
    {
        _inputUrl = (await _client.CreateQueueAsync(new CreateQueueRequest { QueueName = _input })).QueueUrl;
        _outputUrl = (await _client.CreateQueueAsync(new CreateQueueRequest { QueueName = _output })).QueueUrl;
        for (var i = 0; i < OutputReaders; i++)
        {
            _readers.Add(Task.Run(() => ReadOutputAsync(_stop.Token)));
        }
    }

    /// <summary>Batches of ten, <see cref="Senders"/> batches in flight at a time.</summary>
    public async Task ProduceAsync(int from, int to)
    {
        var batches = Enumerable.Range(from, to - from).Chunk(10);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Senders }, async (batch, cancellationToken) =>
        {
            foreach (var n in batch)
            {
                _tally.Sent(n);
            }

            var response = await _client.SendMessageBatchAsync(new SendMessageBatchRequest
            {
                QueueUrl = _inputUrl,
                Entries = batch.Select(n => new SendMessageBatchRequestEntry { Id = $"m{n}", MessageBody = BenchmarkEvents.Body(n, _keys) }).ToList(),
            }, cancellationToken);
            if (response.Failed is { Count: > 0 } failed)
            {
                throw new InvalidOperationException($"The SQS server refused {failed.Count} messages: {failed[0].Message}");
            }
        });
    }

    /// <summary>Messages in the incoming queue, visible or being handled: the service deletes one only once its event is recorded.</summary>
    public async Task<long> BacklogAsync()
    {
        var attributes = await _client.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = _inputUrl,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
    }

    private async Task ReadOutputAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ReceiveMessageResponse response;
            try
            {
                response = await _client.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = _outputUrl,
                    MaxNumberOfMessages = 10,
                    WaitTimeSeconds = 1,
                    MessageAttributeNames = ["All"],
                }, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (response.Messages is not { Count: > 0 } messages)
            {
                continue;
            }

            foreach (var message in messages)
            {
                if (message.MessageAttributes?.TryGetValue("event-id", out var id) == true)
                {
                    _tally.Received(id.StringValue, message.Body);
                }
            }

            await _client.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
            {
                QueueUrl = _outputUrl,
                Entries = messages.Select((m, i) => new DeleteMessageBatchRequestEntry { Id = i.ToString(CultureInfo.InvariantCulture), ReceiptHandle = m.ReceiptHandle }).ToList(),
            }, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_readers);
        _client.Dispose();
    }
}
