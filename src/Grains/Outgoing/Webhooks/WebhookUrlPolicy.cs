using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskService.Webhooks;

/// <summary>
/// Which URLs webhooks may reach. A subscription URL must be http or https without credentials, and its host must neither be nor
/// resolve to an address inside the network: loopback, unspecified, private (RFC 1918, 100.64/10, fc00::/7), link-local
/// (169.254/16 with the metadata address, fe80::/10), multicast, broadcast or reserved, in any spelling (numeric forms, IPv4
/// inside IPv6, full-width dots: the host is taken as <see cref="Uri.IdnHost"/> normalizes it, as the HTTP client does). The
/// same rule holds for the address each delivery actually connects to (<see cref="ConnectAsync"/>), so a name that resolves
/// differently later (DNS rebinding) reaches nothing it should not. <see cref="WebhookOptions"/> relaxes it for intranets.
/// </summary>
public sealed partial class WebhookUrlPolicy
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    private static readonly (IPNetwork Network, string Class, bool Private)[] RefusedV4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified ('this network') address", false),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address", false),
        (IPNetwork.Parse("10.0.0.0/8"), "a private network address (RFC 1918)", true),
        (IPNetwork.Parse("172.16.0.0/12"), "a private network address (RFC 1918)", true),
        (IPNetwork.Parse("192.168.0.0/16"), "a private network address (RFC 1918)", true),
        (IPNetwork.Parse("100.64.0.0/10"), "a carrier-grade NAT address (100.64.0.0/10)", true),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address (169.254.0.0/16, where cloud metadata services live)", false),
        (IPNetwork.Parse("192.0.0.0/24"), "an IETF protocol address (192.0.0.0/24)", false),
        (IPNetwork.Parse("198.18.0.0/15"), "a benchmarking network address (198.18.0.0/15)", true),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address", false),
        (IPNetwork.Parse("240.0.0.0/4"), "a broadcast or reserved address", false),
    ];

    private static readonly (IPNetwork Network, string Class, bool Private)[] RefusedV6 =
    [
        (IPNetwork.Parse("fe80::/10"), "a link-local address (fe80::/10)", false),
        (IPNetwork.Parse("fec0::/10"), "a site-local address (fec0::/10)", true),
        (IPNetwork.Parse("fc00::/7"), "a unique-local address (fc00::/7)", true),
        (IPNetwork.Parse("ff00::/8"), "a multicast address", false),
    ];

    private readonly WebhookOptions _options;
    private readonly bool _allowLoopback;
    private readonly IWebhookHostResolver _resolver;
    private readonly ILogger<WebhookUrlPolicy> _logger;
    private readonly List<IPNetwork> _allowedNetworks = [];
    private readonly List<string> _allowedNames = [];

    public WebhookUrlPolicy(IOptions<WebhookOptions> options, IHostEnvironment environment, IWebhookHostResolver resolver, ILogger<WebhookUrlPolicy> logger)
    {
        _options = options.Value;
        _allowLoopback = _options.AllowLoopbackInDevelopment && environment.IsDevelopment();
        _resolver = resolver;
        _logger = logger;
        foreach (var entry in _options.AllowedHosts.Select(h => h.Trim()).Where(h => h.Length > 0))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                _allowedNetworks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                _allowedNetworks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                _allowedNames.Add(NormalizeName(entry));
            }
        }
    }

    /// <summary>
    /// Null when webhooks may be delivered to <paramref name="url"/>, else the rule it breaks. Resolves the host: every address
    /// must be allowed. A host that does not resolve now is accepted; each delivery checks the address it connects to.
    /// </summary>
    public async Task<string?> CheckAsync(string url, CancellationToken cancellationToken = default)
    {
        if (CheckSyntax(url, out var host, out var literal) is { } refusal)
        {
            return refusal;
        }

        if (literal is not null || IsAllowedName(host))
        {
            return null;
        }

        IPAddress[] addresses;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(ResolveTimeout);
            try
            {
                addresses = await _resolver.ResolveAsync(host, timeout.Token);
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException or ArgumentException)
            {
                return null;
            }
        }

        return addresses.Select(address => CheckAddress(address, host)).FirstOrDefault(r => r is not null);
    }

    /// <summary>The checks that need no name resolution: scheme, credentials, and a host that is an address or a local name.</summary>
    public string? CheckSyntax(string url, out string host, out IPAddress? literal)
    {
        host = "";
        literal = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "'url' must be an absolute http or https URL.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "'url' must not carry credentials (user:password@); authenticate the receiver by the webhook signature.";
        }

        string idnHost;
        try
        {
            idnHost = uri.IdnHost;
        }
        catch (UriFormatException)
        {
            return "'url' has a host name that is not a valid internationalized domain name.";
        }

        host = NormalizeName(idnHost.Trim('[', ']'));
        if (!IsIdnText(uri.Host))
        {
            return $"'url' has the host '{uri.Host}', which is not a valid host name.";
        }

        var isAddress = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6;
        if (CheckHost(host, isAddress, uri.Host, out literal) is { } refusal)
        {
            return refusal;
        }

        // Without ICU (invariant globalization) IDN mapping does not fold full-width letters and digits: fold them here too, so that
        // no spelling of a refused host passes as an unrelated punycode name.
        var folded = NormalizeName(FoldWidth(uri.Host.Trim('[', ']')));
        return folded != host && folded.All(char.IsAscii) ? CheckHost(folded, isAddress, uri.Host, out _) : null;
    }

    private string? CheckHost(string host, bool isAddress, string original, out IPAddress? literal)
    {
        literal = null;
        var scope = host.IndexOf('%', StringComparison.Ordinal);
        var bare = scope >= 0 && isAddress ? host[..scope] : host;
        if (IPAddress.TryParse(bare, out var address) && (isAddress || LooksNumeric(bare)))
        {
            literal = address;
            return CheckAddress(address, host);
        }

        if (host.Length == 0 || !host.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.') || host.Contains("..", StringComparison.Ordinal))
        {
            return $"'url' has the host '{original}', which is not a valid host name.";
        }

        if ((host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal)) && !_allowLoopback && !IsAllowedName(host))
        {
            return Refusal(host, "a loopback name");
        }

        return null;
    }

    /// <summary>
    /// Whether every character beyond ASCII is a letter, a combining mark or a decimal digit, as in real internationalized names
    /// (IDNA2008). Symbols, other numbers and format characters (circled letters, soft hyphens, zero-width joiners) are what a
    /// compatibility mapping would turn into other ASCII names, such as 'localhost'; full-width forms are folded below instead.
    /// </summary>
    private static bool IsIdnText(string host) => host.EnumerateRunes().All(rune => rune.IsAscii
        || rune.Value is (>= 0xFF01 and <= 0xFF5E) or 0x3002 or 0xFF61
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.DecimalDigitNumber);

    /// <summary>Full-width ASCII forms (U+FF01 to U+FF5E) and ideographic full stops as their ASCII characters.</summary>
    private static string FoldWidth(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            span[i] = c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u3002' or '\uFF61' => '.',
                _ => c,
            };
        }
    });

    /// <summary>Null when <paramref name="address"/> (of <paramref name="host"/>) may be reached, else the rule it breaks.</summary>
    public string? CheckAddress(IPAddress address, string host)
    {
        if (IsAllowedName(host) || _allowedNetworks.Any(n => n.Contains(address)))
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return CheckAddress(address.MapToIPv4(), host);
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && EmbeddedIPv4(address) is { } embedded)
        {
            return CheckAddress(embedded, host) is { } refusal ? refusal + " (an IPv4 address inside an IPv6 address)" : null;
        }

        if (IPAddress.IsLoopback(address))
        {
            return _allowLoopback ? null : Refusal(host, $"a loopback address ({address})");
        }

        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
        {
            return Refusal(host, $"the unspecified address ({address})");
        }

        var rules = address.AddressFamily == AddressFamily.InterNetwork ? RefusedV4 : RefusedV6;
        foreach (var (network, kind, isPrivate) in rules)
        {
            if (network.Contains(address) && !(isPrivate && _options.AllowPrivateNetworks))
            {
                return Refusal(host, $"{kind} ({address})");
            }
        }

        return null;
    }

    /// <summary>
    /// The webhook HttpClient's connect step: resolves the host, drops every address the policy refuses, and connects to the first
    /// remaining one that answers. When none remains the connection fails with <see cref="WebhookAddressRefusedException"/>.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endPoint = context.DnsEndPoint;
        var host = NormalizeName(endPoint.Host.Trim('[', ']'));
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await _resolver.ResolveAsync(host, cancellationToken);
        var allowed = new List<IPAddress>(addresses.Length);
        string? refusal = null;
        foreach (var address in addresses)
        {
            if (CheckAddress(address, host) is { } reason)
            {
                refusal ??= reason;
            }
            else
            {
                allowed.Add(address);
            }
        }

        if (allowed.Count == 0)
        {
            var message = refusal ?? $"'{host}' resolves to no address.";
            LogConnectionRefused(host, message);
            throw new WebhookAddressRefusedException(message);
        }

        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                last = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    /// <summary>Whether an <see cref="WebhookOptions.AllowedHosts"/> entry is a CIDR range, an IP address or a host name (<c>*.</c> allowed).</summary>
    public static bool IsValidAllowedHost(string entry)
    {
        var trimmed = entry.Trim();
        if (IPNetwork.TryParse(trimmed, out _) || IPAddress.TryParse(trimmed, out _))
        {
            return true;
        }

        var name = NormalizeName(trimmed.StartsWith("*.", StringComparison.Ordinal) ? trimmed[2..] : trimmed);
        return name.Length > 0 && !name.Contains("..", StringComparison.Ordinal)
            && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.');
    }

    private bool IsAllowedName(string host) =>
        host.Length > 0 && _allowedNames.Any(name => name.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(name[1..], StringComparison.Ordinal)
            : host == name);

    private static string NormalizeName(string host) => host.TrimEnd('.').ToLowerInvariant();

    /// <summary>A host made of digits, dots and hex prefixes only: a numeric spelling of an IPv4 address (2130706433, 0x7f.1).</summary>
    private static bool LooksNumeric(string host) =>
        host.All(c => char.IsAsciiHexDigit(c) || c is '.' or 'x' or 'X') && host.Any(char.IsAsciiDigit);

    /// <summary>The IPv4 address inside an IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address.</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        var high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var middle = BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]);
        if (high == 0 && middle == 0 && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback))
        {
            return new IPAddress(bytes[12..]);
        }

        // NAT64 (64:ff9b::/96) and IPv4-translated (::ffff:0:a.b.c.d, RFC 2765) addresses.
        if ((high == 0x0064_ff9b_0000_0000UL && middle == 0) || (high == 0 && middle == 0xffff_0000U))
        {
            return new IPAddress(bytes[12..]);
        }

        return bytes[0] == 0x20 && bytes[1] == 0x02 ? new IPAddress(bytes[2..6]) : null;
    }

    private static string Refusal(string host, string kind) => string.Create(CultureInfo.InvariantCulture,
        $"'url' is refused: its host '{host}' is or resolves to {kind}, which webhooks may not reach. For an intranet receiver list it in TaskService:Webhooks:AllowedHosts (or set AllowPrivateNetworks).");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook connection to {Host} refused by the URL policy: {Reason}")]
    private partial void LogConnectionRefused(string host, string reason);
}
