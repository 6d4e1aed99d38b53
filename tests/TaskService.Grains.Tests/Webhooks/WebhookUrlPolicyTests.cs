using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskService.Events;
using TaskService.Webhooks;

namespace TaskService.Grains.Tests.Webhooks;

public sealed class WebhookUrlPolicyTests
{
    /// <summary>Names the test resolver knows; every other name does not resolve.</summary>
    private static readonly Dictionary<string, IPAddress[]> Names = new(StringComparer.Ordinal)
    {
        ["hooks.example.com"] = [IPAddress.Parse("93.184.216.34")],
        ["xn--bcher-kva.de"] = [IPAddress.Parse("81.169.145.78")],
        ["resolves-to-loopback.test"] = [IPAddress.Loopback],
        ["resolves-to-metadata.test"] = [IPAddress.Parse("169.254.169.254")],
        ["resolves-to-mapped.test"] = [IPAddress.Parse("::ffff:127.0.0.1")],
        ["mixed.test"] = [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.0.0.7")],
        ["hooks.intranet"] = [IPAddress.Parse("10.9.9.9")],
        ["a.corp.example"] = [IPAddress.Parse("192.168.0.5")],
        ["rebind.test"] = [IPAddress.Loopback],
        ["a.corp.example.evil.test"] = [IPAddress.Parse("10.0.0.8")],
    };

    public static TheoryData<string, string> Refused => new()
    {
        { "ftp://hooks.example.com/x", "http or https" },
        { "file:///etc/passwd", "http or https" },
        { "gopher://127.0.0.1/", "http or https" },
        { "javascript:alert(1)", "http or https" },
        { "not a url", "http or https" },
        { "/relative/path", "http or https" },
        { "http://user:pw@hooks.example.com/", "credentials" },
        { "https://user@hooks.example.com/", "credentials" },
        { "http://127.0.0.1:80@hooks.example.com/", "credentials" },
        { "http://127.0.0.1/", "loopback" },
        { "http://127.0.0.2:8080/x", "loopback" },
        { "http://127.255.255.254/", "loopback" },
        { "http://[::1]/", "loopback" },
        { "http://2130706433/", "loopback" },
        { "http://0177.0.0.1/", "loopback" },
        { "http://0x7f.1/", "loopback" },
        { "http://0x7f000001/", "loopback" },
        { "http://127.1/", "loopback" },
        { "http://017700000001/", "loopback" },
        { "http://127\u30020\u30020\u30021/", "loopback" },
        { "http://127\uFF0E0\uFF0E0\uFF0E1/", "loopback" },
        { "http://localhost/", "loopback" },
        { "http://LOCALHOST:3000/", "loopback" },
        { "http://localhost./", "loopback" },
        { "http://\uFF2C\uFF2F\uFF23\uFF21\uFF2C\uFF28\uFF2F\uFF33\uFF34/", "loopback" },
        { "http://api.localhost/", "loopback" },
        { "http://0.0.0.0/", "unspecified" },
        { "http://0/", "unspecified" },
        { "http://[::]/", "unspecified" },
        { "http://10.0.0.1/", "private network" },
        { "http://10.255.255.255/", "private network" },
        { "http://172.16.0.1/", "private network" },
        { "http://172.31.255.254/", "private network" },
        { "http://192.168.1.1/", "private network" },
        { "http://100.64.0.1/", "carrier-grade NAT" },
        { "http://100.127.255.254/", "carrier-grade NAT" },
        { "http://169.254.169.254/latest/meta-data/", "link-local" },
        { "http://169.254.0.1/", "link-local" },
        { "http://0251.0376.0251.0376/", "link-local" },
        { "http://2852039166/", "link-local" },
        { "http://[fe80::1]/", "link-local" },
        { "http://[fe80::1%25eth0]/", "link-local" },
        { "http://[fc00::1]/", "unique-local" },
        { "http://[fd12:3456:789a::1]/", "unique-local" },
        { "http://224.0.0.1/", "multicast" },
        { "http://239.255.255.250/", "multicast" },
        { "http://[ff02::1]/", "multicast" },
        { "http://255.255.255.255/", "broadcast" },
        { "http://240.0.0.1/", "broadcast" },
        { "http://192.0.0.1/", "IETF protocol" },
        { "http://[::ffff:127.0.0.1]/", "loopback" },
        { "http://[::ffff:7f00:1]/", "loopback" },
        { "http://[::ffff:169.254.169.254]/", "link-local" },
        { "http://[::ffff:10.0.0.1]/", "private network" },
        { "http://[::127.0.0.1]/", "IPv4 address inside an IPv6" },
        { "http://[64:ff9b::7f00:1]/", "IPv4 address inside an IPv6" },
        { "http://[2002:7f00:1::]/", "IPv4 address inside an IPv6" },
        { "http://[2002:a9fe:a9fe::]/", "IPv4 address inside an IPv6" },
        { "http://resolves-to-loopback.test/", "loopback" },
        { "http://resolves-to-metadata.test/", "link-local" },
        { "http://resolves-to-mapped.test/", "loopback" },
        { "http://mixed.test/", "private network" },
        { "http://example.com\uFF05\uFF12\uFF45/", "not a valid host name" },
        { "http://0x7f.0x0.0x0.0x1/", "loopback" },
        { "http://127.000.000.001/", "loopback" },
        { "http://127.0.0.1./", "loopback" },
        { "http://0177.1/", "loopback" },
        { "HTTP://127.0.0.1/", "loopback" },
        { "http://[0:0:0:0:0:ffff:127.0.0.1]/", "loopback" },
        { "http://[0:0:0:0:0:0:0:1]/", "loopback" },
        { "http://[::ffff:127.0.0.1%25eth0]/", "loopback" },
        { "http://[fe80::1%eth0]/", "link-local" },
        { "http://[::ffff:a9fe:a9fe]/", "link-local" },
        { "http://[::ffff:0:7f00:1]/", "loopback" },
        { "http://localhost\u3002/", "loopback" },
        { "http://localhost\uFF0E/", "loopback" },
        { "http://loc\u00ADalhost/", "not a valid host name" },
        { "http://\u24DB\u24DE\u24D2\u24D0\u24DB\u24D7\u24DE\u24E2\u24E3/", "not a valid host name" },
        { "http://\u2460\u2461\u2466.0.0.1/", "not a valid host name" },
        { "http://169.254.169.254\uFF0E/", "link-local" },
        { "http://0xa9fea9fe/", "link-local" },
        { "http://[::ffff:100.64.0.1]/", "carrier-grade NAT" },
    };

    public static TheoryData<string> Allowed => new()
    {
        "https://hooks.example.com/x",
        "http://93.184.216.34/",
        "http://8.8.8.8:8443/path?q=1",
        "http://[2606:2800:220:1:248:1893:25c8:1946]/",
        "https://b\u00fccher.de/",
        "http://unresolvable.test/",
        "http://172.32.0.1/",
        "http://100.128.0.1/",
        "http://[::ffff:8.8.8.8]/",
        "http://[2002:0808:0808::]/",
        "https://\u0645\u062b\u0627\u0644.\u0625\u062e\u062a\u0628\u0627\u0631/",
        "https://\u4F8B\u5B50.\u6D4B\u8BD5/",
        "https://ko\u0308ln.example/",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task AUrlReachingInsideTheNetworkIsRefusedOutsideDevelopment(string url, string rule)
    {
        var refusal = await Policy(Environments.Production).CheckAsync(url);

        Assert.NotNull(refusal);
        Assert.Contains(rule, refusal, StringComparison.Ordinal);
        Assert.StartsWith("'url'", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public async Task APublicUrlIsAllowed(string url)
    {
        Assert.Null(await Policy(Environments.Production).CheckAsync(url));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/hook", true)]
    [InlineData("http://localhost:5000/hook", true)]
    [InlineData("http://[::1]/", true)]
    [InlineData("http://resolves-to-loopback.test/", true)]
    [InlineData("http://169.254.169.254/", false)]
    [InlineData("http://10.0.0.1/", false)]
    [InlineData("http://0.0.0.0/", false)]
    public async Task DevelopmentAllowsLoopbackOnly(string url, bool allowed)
    {
        Assert.Equal(allowed, await Policy(Environments.Development).CheckAsync(url) is null);
        Assert.NotNull(await Policy(Environments.Development, o => o.AllowLoopbackInDevelopment = false).CheckAsync("http://127.0.0.1:5000/hook"));
    }

    [Theory]
    [InlineData("http://10.0.0.1/", true)]
    [InlineData("http://192.168.1.1/", true)]
    [InlineData("http://100.64.0.1/", true)]
    [InlineData("http://[fd00::1]/", true)]
    [InlineData("http://169.254.169.254/", false)]
    [InlineData("http://127.0.0.1/", false)]
    [InlineData("http://224.0.0.1/", false)]
    public async Task AllowPrivateNetworksAllowsPrivateRangesButNotLoopbackOrMetadata(string url, bool allowed)
    {
        Assert.Equal(allowed, await Policy(Environments.Production, o => o.AllowPrivateNetworks = true).CheckAsync(url) is null);
    }

    [Theory]
    [InlineData("http://10.1.2.3/", true)]
    [InlineData("http://10.2.0.1/", false)]
    [InlineData("http://hooks.intranet/", true)]
    [InlineData("http://HOOKS.intranet./", true)]
    [InlineData("http://a.corp.example/", true)]
    [InlineData("http://a.corp.example.evil.test/", false)]
    [InlineData("http://[fd00:1::5]/", true)]
    [InlineData("http://169.254.169.254/", false)]
    public async Task AllowedHostsAllowListedNamesAndRanges(string url, bool allowed)
    {
        var policy = Policy(Environments.Production, o => o.AllowedHosts = ["10.1.0.0/16", "hooks.intranet", "*.corp.example", "fd00:1::/32"]);

        Assert.Equal(allowed, await policy.CheckAsync(url) is null);
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("fd00::/8", true)]
    [InlineData("192.168.1.10", true)]
    [InlineData("hooks.intranet", true)]
    [InlineData("*.corp.example", true)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("http://hooks.intranet", false)]
    [InlineData("", false)]
    public void AllowedHostsEntriesAreValidated(string entry, bool valid)
    {
        Assert.Equal(valid, WebhookUrlPolicy.IsValidAllowedHost(entry));
    }

    [Fact]
    public async Task ADeliveryToANameThatNowResolvesToLoopbackIsRefusedAtConnectTimeAndNeverConnects()
    {
        using var receiver = new OneShotHttpReceiver();
        var policy = Policy(Environments.Production);
        var sender = Sender(policy);

        var result = await sender.SendAsync($"http://rebind.test:{receiver.Port}/hook", Body(), "secret", CancellationToken.None);

        Assert.Equal(WebhookDeliveryOutcome.Undeliverable, result.Outcome);
        Assert.Contains("loopback", result.Error, StringComparison.Ordinal);
        Assert.False(receiver.HasPendingConnection, "the refused delivery reached the receiver");
    }

    [Fact]
    public async Task ADeliveryToAnAllowedHostConnectsThroughThePolicy()
    {
        using var receiver = new OneShotHttpReceiver();
        var policy = Policy(Environments.Production, o => o.AllowedHosts = ["rebind.test"]);
        var answered = receiver.AnswerOnceAsync();

        var result = await Sender(policy).SendAsync($"http://rebind.test:{receiver.Port}/hook", Body(), "secret", CancellationToken.None);

        Assert.Equal(WebhookDeliveryOutcome.Delivered, result.Outcome);
        Assert.Contains("POST /hook", await answered, StringComparison.Ordinal);
    }

    private static WebhookUrlPolicy Policy(string environment, Action<WebhookOptions>? configure = null)
    {
        var options = new WebhookOptions();
        configure?.Invoke(options);
        return new WebhookUrlPolicy(Options.Create(options), new HostingEnvironment { EnvironmentName = environment }, new TestResolver(), NullLogger<WebhookUrlPolicy>.Instance);
    }

    private static WebhookSender Sender(WebhookUrlPolicy policy) =>
        new(new PolicyHandlerFactory(policy), Options.Create(new WebhookOptions { Timeout = TimeSpan.FromSeconds(5) }), TimeProvider.System);

    private static byte[] Body() => WebhookSender.CreateBody(new OutgoingEvent
    {
        Id = "e1",
        Key = "task-created",
        Payload = TaskService.Serialization.JsonElementFactory.Parse("{}"),
        Timestamp = 1,
    });

    private sealed class TestResolver : IWebhookHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            Names.TryGetValue(host, out var addresses)
                ? Task.FromResult(addresses)
                : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }

    private sealed class PolicyHandlerFactory(WebhookUrlPolicy policy) : IHttpMessageHandlerFactory
    {
        public HttpMessageHandler CreateHandler(string name) =>
            new SocketsHttpHandler { AllowAutoRedirect = false, ConnectCallback = policy.ConnectAsync };
    }

    /// <summary>A loopback TCP listener that answers one HTTP request with 200, and tells whether anyone connected.</summary>
    private sealed class OneShotHttpReceiver : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public OneShotHttpReceiver() => _listener.Start();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public bool HasPendingConnection => _listener.Pending();

        public async Task<string> AnswerOnceAsync()
        {
            using var client = await _listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var read = await stream.ReadAsync(buffer);
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            return Encoding.ASCII.GetString(buffer, 0, read);
        }

        public void Dispose() => _listener.Stop();
    }
}
