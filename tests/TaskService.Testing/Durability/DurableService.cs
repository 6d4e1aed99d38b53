using System.Net;
using System.Security.Cryptography;
using System.Text;
using TaskService.Gateway.Auth;

namespace TaskService.Testing.Durability;

/// <summary>
/// One TaskService deployment on PostgreSQL for a durability test: a fresh database, a cluster id, the client-app secret key and
/// the JWT settings every node shares, and the silo and gateway processes started for it. Disposing kills every process and drops
/// the database.
/// </summary>
public sealed class DurableService : IAsyncDisposable
{
    public const string JwtIssuer = "task-service-durability-tests";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly List<NodeProcess> _nodes = [];

    private DurableService(string connectionString)
    {
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public string ClusterId { get; } = $"durability-{Guid.NewGuid():N}";

    /// <summary>The key client app secrets are encrypted with; every silo of the deployment gets the same one.</summary>
    public string SecretKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public JwtOptions Jwt { get; } = new() { JwtSecret = $"durability-{Convert.ToHexString(RandomNumberGenerator.GetBytes(24))}", JwtIssuer = JwtIssuer };

    /// <summary>Every permission of the API: the task service codes and the workflow codes 1 to 5.</summary>
    public static string[] AllPermissions { get; } = [.. Permissions.All, "1", "2", "3", "4", "5"];

    /// <summary>
    /// Settings every silo gets unless a test overrides them: short retry delays and polling, so that recovery happens within a
    /// test's deadlines; generous retry counts, so that a failover is ridden out rather than turned into an incident.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SiloDefaults { get; } = new Dictionary<string, string>
    {
        // Orleans' placement resilience pipeline logs every attempt at Information: noise in the outputs failures show.
        ["Logging__LogLevel__Polly"] = "Warning",
        ["TaskService__Webhooks__Timeout"] = "00:00:05",
        ["TaskService__Webhooks__InitialBackoff"] = "00:00:00.100",
        ["TaskService__Webhooks__MaxBackoff"] = "00:00:01",
        ["TaskService__Webhooks__MaxAttempts"] = "200",
        // The tests' receivers listen on loopback, which the webhook URL policy refuses outside Development.
        ["TaskService__Webhooks__AllowedHosts__0"] = "127.0.0.1",
        ["TaskService__Outbox__PollInterval"] = "00:00:00.250",
        ["TaskService__Outbox__Lease"] = "00:00:05",
        ["TaskService__Events__SweepInterval"] = "00:00:01",
        ["TaskService__Events__RoutingGracePeriod"] = "00:00:05",
        ["TaskService__Workflows__CommandRetries"] = "60",
        ["TaskService__Workflows__RetryBackoff"] = "00:00:00.250",
        ["TaskService__Workflows__MaxRetryBackoff"] = "00:00:02",
    };

    public static async Task<DurableService> CreateAsync(string databasePrefix) =>
        new(await PostgresServer.CreateDatabaseAsync(databasePrefix));

    /// <summary>
    /// Free ports for a new silo (silo-to-silo, Orleans gateway, HTTP), all different: chosen one at a time, the operating
    /// system could hand out the same port twice. Keep them to restart "the same" silo.
    /// </summary>
    public static SiloPorts NewSiloPorts()
    {
        var ports = FreePorts.Take(3);
        return new(ports[0], ports[1], ports[2]);
    }

    /// <summary>Starts a silo process (without waiting for it; see <see cref="NodeProcess.WaitUntilReadyAsync"/>).</summary>
    public NodeProcess StartSilo(string name, SiloPorts ports, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>(SiloDefaults)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["JWT_SECRET"] = Jwt.JwtSecret,
            ["JWT_ISSUER"] = Jwt.JwtIssuer,
            ["ConnectionStrings__TaskService"] = ConnectionString,
            ["TaskService__Database__MigrateOnStart"] = "true",
            ["TaskService__Secrets__Key"] = SecretKey,
            ["Orleans__ClusterId"] = ClusterId,
            ["Orleans__AdvertisedIPAddress"] = "127.0.0.1",
            ["Orleans__Endpoints__SiloPort"] = ports.Silo.ToString(),
            ["Orleans__Endpoints__GatewayPort"] = ports.Gateway.ToString(),
            ["Urls"] = $"http://127.0.0.1:{ports.Http}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return Track(NodeProcess.Start(name, "Silo", $"http://127.0.0.1:{ports.Http}", environment));
    }

    /// <summary>Starts a silo and waits until it serves HTTP.</summary>
    public async Task<NodeProcess> StartSiloAsync(string name, SiloPorts ports, IReadOnlyDictionary<string, string>? settings = null)
    {
        var silo = StartSilo(name, ports, settings);
        await silo.WaitUntilReadyAsync(StartTimeout);
        return silo;
    }

    /// <summary>Starts the gateway process, an Orleans client of the cluster that serves the HTTP API, and waits until it is ready.</summary>
    public async Task<NodeProcess> StartGatewayAsync(string name)
    {
        var http = FreePorts.Next();
        var gateway = Track(NodeProcess.Start(name, "Gateway", $"http://127.0.0.1:{http}", new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["JWT_SECRET"] = Jwt.JwtSecret,
            ["JWT_ISSUER"] = Jwt.JwtIssuer,
            ["ConnectionStrings__TaskService"] = ConnectionString,
            ["Orleans__ClusterId"] = ClusterId,
            ["Urls"] = $"http://127.0.0.1:{http}",
            ["Logging__LogLevel__Polly"] = "Warning",
        }));
        await gateway.WaitUntilReadyAsync(StartTimeout);
        return gateway;
    }

    /// <summary>An HTTP client of the node whose token carries every permission, for the user <paramref name="subject"/> (its <c>sub</c>).</summary>
    public HttpClient Client(NodeProcess node, TimeSpan? timeout = null, string subject = "developer")
    {
        var client = new HttpClient { BaseAddress = new Uri(node.HttpUrl), Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        return TestToken.Signed(Jwt).For(subject).With(AllPermissions).Authorize(client);
    }

    /// <summary>
    /// The output of every node started so far, for failure messages: the end of each here, all of it in files under
    /// <see cref="LogDirectory"/>.
    /// </summary>
    public string Outputs()
    {
        var text = new StringBuilder();
        Directory.CreateDirectory(LogDirectory);
        for (var i = 0; i < _nodes.Count; i++)
        {
            var node = _nodes[i];
            var file = Path.Combine(LogDirectory, $"{i}-{string.Concat(node.Name.Select(c => char.IsLetterOrDigit(c) ? c : '-'))}.log");
            File.WriteAllText(file, node.Output);
            text.AppendLine($"===== {node.Name} ({node.HttpUrl}){(node.HasExited ? ", exited" : "")}, all of it in {file} =====").AppendLine(Tail(node.Output));
        }

        return text.ToString();
    }

    /// <summary>Where <see cref="Outputs"/> writes the whole output of each node.</summary>
    public string LogDirectory => Path.Combine(Path.GetTempPath(), "taskservice-durability", ClusterId);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await PostgresServer.DropDatabaseAsync(ConnectionString);
    }

    private NodeProcess Track(NodeProcess node)
    {
        _nodes.Add(node);
        return node;
    }

    /// <summary>The last part of a long output: what led up to a failure is at the end.</summary>
    private static string Tail(string output, int max = 8_000) =>
        output.Length <= max ? output : "[...]\n" + output[^max..];
}
