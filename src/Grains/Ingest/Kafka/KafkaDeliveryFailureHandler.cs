using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// Called by a partition's pulling agent when delivering a message to the event router kept failing through every retry: the
/// message goes to the dead-letter topic (awaited, before the agent moves on), and the partition continues. The implicit
/// subscription of the event router is never faulted.
/// </summary>
public sealed class KafkaDeliveryFailureHandler(QueueId queueId, KafkaQueueAdapterFactory factory, ILogger logger) : IStreamFailureHandler
{
    public bool ShouldFaultSubsriptionOnError => false;

    public Task OnDeliveryFailure(GuidId subscriptionId, string streamProviderName, StreamId streamId, StreamSequenceToken? sequenceToken)
    {
        if (sequenceToken is null || !factory.TryGetReceiver(queueId, out var receiver))
        {
            KafkaLog.SubscriptionFailed(logger, subscriptionId.ToString(), streamId.ToString(), streamProviderName);
            return Task.CompletedTask;
        }

        return receiver.DeadLetterFailedDeliveryAsync(sequenceToken.SequenceNumber, streamId);
    }

    public Task OnSubscriptionFailure(GuidId subscriptionId, string streamProviderName, StreamId streamId, StreamSequenceToken? sequenceToken)
    {
        KafkaLog.SubscriptionFailed(logger, subscriptionId.ToString(), streamId.ToString(), streamProviderName);
        return Task.CompletedTask;
    }
}
