using Orleans.Runtime.Providers;
using TaskService.Common;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// Delays between the pulling agent's attempts to deliver a message to the event router: doubling from
/// <see cref="KafkaIncomingOptions.DeliveryRetryBackoff"/> up to <see cref="KafkaIncomingOptions.MaxDeliveryRetryBackoff"/>.
/// </summary>
public sealed class KafkaDeliveryBackoff(KafkaIncomingOptions options) : IMessageDeliveryBackoffProvider
{
    public TimeSpan Next(int attempt) => new Backoff(options.DeliveryRetryBackoff, options.MaxDeliveryRetryBackoff).Delay(attempt + 1, 0);

    /// <summary>
    /// The pulling agent retries a delivery until this much time has passed, then hands the message to the failure handler. It
    /// lies halfway into the delay after the last allowed retry, so <see cref="KafkaIncomingOptions.DeliveryRetries"/> retries fit
    /// (fewer when the attempts themselves are slow).
    /// </summary>
    public TimeSpan RetryWindow()
    {
        var window = TimeSpan.Zero;
        for (var attempt = 0; attempt < options.DeliveryRetries; attempt++)
        {
            window += Next(attempt);
        }

        return window + (Next(options.DeliveryRetries) / 2);
    }
}
