namespace TaskService.Gateway.Hosting;

/// <summary>
/// A failure of the start that shows only after the host started: the gateway connects to its cluster in the background, and
/// a failure no retry can cure (PostgreSQL refusing the credentials, say) ends the process as a failed start does, with
/// <see cref="StartupFailure"/>'s one line and exit code 1.
/// </summary>
public sealed class LateStartFailure(IHostApplicationLifetime lifetime)
{
    private Exception? _exception;

    /// <summary>The failure reported first, if any.</summary>
    public Exception? Exception => Volatile.Read(ref _exception);

    /// <summary>
    /// Records <paramref name="exception"/> (the first one reported wins) and stops the application once it has started: a
    /// stop asked for during the host's start would cancel the start and log that instead of the reason.
    /// </summary>
    public void Report(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Interlocked.CompareExchange(ref _exception, exception, null);
        lifetime.ApplicationStarted.Register(lifetime.StopApplication);
    }
}
