using System.ComponentModel.DataAnnotations;

namespace TaskService.Connectors.Sqs;

/// <summary>The incoming side: which queues feed the event router and how their messages become events.</summary>
public sealed class SqsIncomingOptions
{
    /// <summary>Whether the silo receives events from SQS.</summary>
    public bool Enabled { get; set; }

    /// <summary>The queues to receive from: names (looked up in the account and region) or queue URLs. FIFO queues end in <c>.fifo</c>.</summary>
    public List<string> Queues { get; set; } = [];

    /// <summary>Where the event key comes from; by default the queue's name.</summary>
    public SqsEventKeySource KeySource { get; set; } = SqsEventKeySource.Queue;

    /// <summary>
    /// With <see cref="SqsEventKeySource.Field"/>: a dotted path into the JSON body (<c>type</c>, <c>meta.eventType</c>); with
    /// <see cref="SqsEventKeySource.Attribute"/>: the message attribute's name.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>
    /// Where messages go that cannot become an event (not JSON, no key): a queue name or URL. They carry their error, origin queue
    /// and message id as message attributes and are deleted from their queue. Without it such a message is made visible again
    /// after <see cref="ErrorBackoff"/>, doubled per receive (at most <see cref="VisibilityTimeout"/>), so the queue's own redrive
    /// policy moves it after <c>maxReceiveCount</c> receives.
    /// </summary>
    public string? DeadLetterQueue { get; set; }

    /// <summary>Messages per receive (SQS allows at most 10).</summary>
    [Range(1, 10)]
    public int BatchSize { get; set; } = 10;

    /// <summary>Long-polling wait per receive (SQS allows at most 20 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:20")]
    public TimeSpan WaitTime { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long received messages stay hidden from other consumers; it is extended while they are being recorded, so it only
    /// bounds how soon a message comes back after its silo died.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "12:00:00")]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Concurrent receive loops per queue and silo.</summary>
    [Range(1, 64)]
    public int ReceiversPerQueue { get; set; } = 1;

    /// <summary>Pause after a failed receive before the next; also the first delay before a message left to the redrive policy comes back.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan ErrorBackoff { get; set; } = TimeSpan.FromSeconds(1);
}
