namespace TaskService.Silo;

/// <summary>The ports of a localhost-clustered silo. Bound from <c>Orleans:Endpoints</c>.</summary>
public sealed class SiloEndpointOptions
{
    public const string SectionName = "Orleans:Endpoints";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans clients (such as the gateway process) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;
}
