using Microsoft.Extensions.Logging;
using TaskService.Events;

namespace TaskService.Outgoing;

/// <summary>Fans an outgoing event out to every connector; one connector's failure does not stop the others.</summary>
public sealed partial class OutgoingEventPublisher(IEnumerable<IOutgoingConnector> connectors, ILogger<OutgoingEventPublisher> logger)
    : IOutgoingEventPublisher
{
    private readonly IOutgoingConnector[] _connectors = connectors.ToArray();

    public async Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default)
    {
        List<Exception>? errors = null;
        foreach (var connector in _connectors)
        {
            try
            {
                await connector.PublishAsync(outgoingEvent, cancellationToken);
            }
            catch (Exception exception)
            {
                LogConnectorFailed(connector.Name, outgoingEvent.Key, outgoingEvent.Id, exception);
                (errors ??= []).Add(exception);
            }
        }

        if (errors is not null)
        {
            throw new AggregateException($"Outgoing event {outgoingEvent.Key} '{outgoingEvent.Id}' could not be handed to {errors.Count} connector(s).", errors);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outgoing connector {Connector} could not take {EventKey} event {EventId}")]
    private partial void LogConnectorFailed(string connector, string eventKey, string eventId, Exception exception);
}
