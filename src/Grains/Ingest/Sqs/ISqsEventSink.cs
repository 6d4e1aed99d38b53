using TaskService.Events;

namespace TaskService.Connectors.Sqs;

/// <summary>
/// Where the SQS receivers record events: durably, once per id, before the message is deleted. The answer is null once the event is
/// recorded, or how long to wait when the ingress refuses it because its backlog is over its bound (backpressure: the receiver
/// stops receiving for that long and the message comes back then).
/// </summary>
public interface ISqsEventSink
{
    Task<TimeSpan?> RecordAsync(EventRecord record, CancellationToken cancellationToken);
}
