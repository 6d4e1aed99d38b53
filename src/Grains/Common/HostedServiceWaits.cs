using Microsoft.Extensions.Hosting;

namespace TaskService.Common;

/// <summary>
/// The waits of the silo's background loops (the Camunda worker, the SQS receiver, the sweeper), which end quietly when the
/// silo stops: a stop is an expected outcome, answered as false rather than thrown.
/// </summary>
public static class HostedServiceWaits
{
    /// <summary>
    /// Waits until the host has started (grains answer only then). False when <paramref name="stoppingToken"/> fired first: the
    /// loop should not begin.
    /// </summary>
    public static async Task<bool> WaitForStartAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
        }

        return started.Task.IsCompletedSuccessfully;
    }

    /// <summary>Waits <paramref name="delay"/> on <paramref name="time"/>. False when <paramref name="cancellationToken"/> fired first.</summary>
    public static async Task<bool> DelayAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
    {
        var delayed = Task.Delay(delay, time, cancellationToken);
        await delayed.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
        return delayed.IsCompletedSuccessfully;
    }
}
