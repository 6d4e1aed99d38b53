namespace TaskService.Silo;

/// <summary>The ports of a localhost-clustered silo. Bound from <c>Orleans:Endpoints</c>.</summary>
public sealed class SiloEndpointOptions
{
    public const string SectionName = "Orleans:Endpoints";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans clients (such as the gateway process) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Stops the start when a port cannot be one, naming the setting (0 lets the system choose).</summary>
    public void Validate()
    {
        Check(SiloPort, nameof(SiloPort));
        Check(GatewayPort, nameof(GatewayPort));
    }

    private static void Check(int port, string name)
    {
        if (port is < 0 or > 65535)
        {
            throw new InvalidOperationException($"{SectionName}:{name} is {port}; a port is a number from 1 to 65535 (0 lets the system choose one).");
        }
    }
}
