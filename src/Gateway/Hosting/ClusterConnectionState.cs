namespace TaskService.Gateway.Hosting;

/// <summary>
/// Whether <see cref="ClusterConnection"/> has connected, held apart from it so that the logging filter can read it: the
/// logger factory is built before any service that logs.
/// </summary>
public sealed class ClusterConnectionState
{
    private volatile bool _connected;

    public bool IsConnected
    {
        get => _connected;
        set => _connected = value;
    }
}
