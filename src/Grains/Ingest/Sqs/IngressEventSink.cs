using Microsoft.Extensions.Logging;
using TaskService.Events;

namespace TaskService.Connectors.Sqs;

/// <summary>
/// Records events through the same ingress as HTTP (the silo's <see cref="IEventIngress"/>): recorded once per id, then routed. While
/// the routing backlog is over its bound (<c>TaskService:Events:MaxBacklog</c>) the ingress refuses, as it answers HTTP with
/// 503; the receivers then stop receiving for the time it asks and let the message come back.
/// </summary>
public sealed class IngressEventSink(IEventIngress ingress, ILogger<IngressEventSink> logger) : ISqsEventSink
{
    public async Task<TimeSpan?> RecordAsync(EventRecord record, CancellationToken cancellationToken)
    {
        var acceptance = await ingress.TryPublishAsync(record).WaitAsync(cancellationToken);
        if (acceptance.Conflict)
        {
            // Nobody is answered on this path: the message is taken off the queue, and the log says why it started nothing.
            SqsLog.IdConflict(logger, record.Id, record.Key);
        }

        return acceptance.Busy ? acceptance.RetryAfter : null;
    }
}
