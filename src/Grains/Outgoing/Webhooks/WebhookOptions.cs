using System.ComponentModel.DataAnnotations;

namespace TaskService.Webhooks;

/// <summary>How webhook deliveries are made and retried. Bound from the <c>TaskService:Webhooks</c> section.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "TaskService:Webhooks";

    /// <summary>How long one POST may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Deliveries one subscription may have under way at once. The events about one task always go one at a time, in the order
    /// they were made; this bounds how many different tasks' events are sent together. 1 sends every event of the subscription
    /// one after the other.
    /// </summary>
    [Range(1, 256)]
    public int MaxInFlight { get; set; } = 16;

    /// <summary>
    /// Deliveries one silo may have under way at once, all subscriptions together: the windows of many subscriptions cannot
    /// add up to unbounded requests, sockets and bodies in memory. A delivery waits for a free one.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxInFlightPerSilo { get; set; } = 256;

    /// <summary>Attempts per event before it is given up and counted as failed.</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Delay before the first retry; it doubles with each further attempt, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between attempts, whether computed or asked for by a Retry-After header.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long delivered and failed (given up) deliveries stay in the delivery log, with their attempts, before the periodic
    /// sweep deletes them. Pending deliveries are never deleted.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan DeliveryLogRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Allow subscriptions to private networks: RFC 1918 (10/8, 172.16/12, 192.168/16), carrier-grade NAT (100.64/10) and IPv6
    /// unique-local (fc00::/7) addresses. Loopback, link-local (169.254/16 with the cloud metadata address, fe80::/10), unspecified,
    /// multicast and broadcast addresses stay refused; list them in <see cref="AllowedHosts"/> to allow one.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>In the Development environment, allow loopback receivers (localhost, 127/8, ::1). Outside Development it has no effect.</summary>
    public bool AllowLoopbackInDevelopment { get; set; } = true;

    /// <summary>
    /// Hosts webhooks may reach whatever their addresses: host names (<c>hooks.intranet</c>, or <c>*.intranet</c> for its
    /// subdomains), IP addresses and CIDR ranges (<c>10.1.0.0/16</c>, <c>fd00::/8</c>). Empty by default.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// How long a client app's previous secret stays valid after its secret is rotated (<c>POST /client-apps/{id}/rotate-secret</c>,
    /// which may ask for another overlap): meanwhile it authenticates the app and deliveries carry a signature with each secret.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "90.00:00:00")]
    public TimeSpan SecretRotationOverlap { get; set; } = TimeSpan.FromHours(24);
}
