using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TaskService.Benchmarks;

/// <summary>
/// The subscriber: a minimal API on a free port of 127.0.0.1 that takes <c>POST /hooks</c>, checks the signature as the
/// README describes it (hex HMAC-SHA256 of <c>&lt;body&gt;:&lt;x-task-timestamp&gt;</c> keyed with the client app secret),
/// notes the arrival of every <c>task-created</c> delivery by the <c>benchId</c> in its tasks' metadata, and answers 204.
/// </summary>
internal sealed class WebhookReceiver(DeliveryLog log) : IAsyncDisposable
{
    public const string TaskCreated = "task-created";

    private WebApplication? _app;
    private byte[] _secret = [];

    public string Url { get; private set; } = "";

    /// <summary>The secret of the client app that owns the subscription; deliveries are checked against it once it is set.</summary>
    public void UseSecret(string secret) => Volatile.Write(ref _secret, Encoding.UTF8.GetBytes(secret));

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);
        _app = builder.Build();
        _app.MapPost("/hooks", ReceiveAsync);
        await _app.StartAsync();
        var address = _app.Urls.First();
        Url = $"{address.TrimEnd('/')}/hooks";
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        var arrived = Stopwatch.GetTimestamp();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var bytes = body.GetBuffer().AsMemory(0, (int)body.Length);

        if (!SignatureHolds(bytes.Span, request.Headers["x-task-timestamp"].ToString(), request.Headers["x-task-signature"].ToString()))
        {
            log.MarkBadSignature();
        }

        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        if (root.GetProperty("key").GetString() != TaskCreated)
        {
            return TypedResults.NoContent();
        }

        var any = false;
        foreach (var task in root.GetProperty("payload").GetProperty("createdTasks").EnumerateArray())
        {
            if (task.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("benchId", out var id) && id.TryGetInt32(out var benchId))
            {
                log.MarkArrived(benchId, arrived);
                any = true;
            }
        }

        if (!any)
        {
            log.MarkUnknown();
        }

        return TypedResults.NoContent();
    }

    private bool SignatureHolds(ReadOnlySpan<byte> body, string timestamp, string signature)
    {
        var secret = Volatile.Read(ref _secret);
        if (secret.Length == 0 || signature.Length != 64 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return false;
        }

        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        hmac.AppendData(body);
        hmac.AppendData(Encoding.ASCII.GetBytes(":" + timestamp));
        Span<byte> hash = stackalloc byte[32];
        hmac.GetHashAndReset(hash);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash)), Encoding.ASCII.GetBytes(signature));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
