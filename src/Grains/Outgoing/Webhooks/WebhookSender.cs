using System.Net;
using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TaskService.Events;

namespace TaskService.Webhooks;

/// <summary>Makes one signed webhook POST and classifies the answer.</summary>
public sealed class WebhookSender(IHttpMessageHandlerFactory handlers, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const string HttpClientName = "TaskService.Webhooks";

    private const int BodyBufferSize = 1024;

    private const int MaxKeptBodyBuffer = 64 * 1024;

    /// <summary>Added as it is sent, not parsed into a header object for every delivery.</summary>
    private const string ContentType = "application/json; charset=utf-8";

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_bodyBuffer;

    private readonly SemaphoreSlim _slots = new(options.Value.MaxInFlightPerSilo, options.Value.MaxInFlightPerSilo);

    /// <summary>
    /// Waits for one of this silo's delivery slots (<see cref="WebhookOptions.MaxInFlightPerSilo"/>); disposing the slot frees it.
    /// </summary>
    public async Task<IDisposable> EnterAsync()
    {
        await _slots.WaitAsync();
        return new Slot(_slots);
    }

    /// <summary>
    /// The delivery body, <c>{id, key, payload, timestamp, source}</c>, written exactly as JavaScript's JSON.stringify would write it,
    /// so a receiver that re-serializes the parsed body computes the same signature.
    /// </summary>
    public static byte[] CreateBody(OutgoingEvent outgoingEvent)
    {
        // Written straight in JSON.stringify's form (members in this order, none an array index, so none moves): the same bytes
        // as writing the envelope and re-serializing it, without the intermediate text and document.
        // Written into this thread's buffer (nothing here awaits), so only the body itself is allocated, not the buffer's growth.
        var buffer = t_bodyBuffer ??= new ArrayBufferWriter<byte>(BodyBufferSize);
        buffer.ResetWrittenCount();
        try
        {
            WriteBody(buffer, outgoingEvent);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity > MaxKeptBodyBuffer)
            {
                // One large body does not keep its buffer for the thread's lifetime.
                t_bodyBuffer = null;
            }
        }
    }

    private static void WriteBody(ArrayBufferWriter<byte> buffer, OutgoingEvent outgoingEvent)
    {
        buffer.Write("{\"id\":"u8);
        WriteStringOrNull(buffer, outgoingEvent.Id);
        buffer.Write(",\"key\":"u8);
        WriteStringOrNull(buffer, outgoingEvent.Key);
        buffer.Write(",\"payload\":"u8);
        if (outgoingEvent.Payload.ValueKind == JsonValueKind.Undefined)
        {
            buffer.Write("null"u8);
        }
        else
        {
            JavaScriptJson.Write(buffer, outgoingEvent.Payload);
        }

        buffer.Write(",\"timestamp\":"u8);
        JavaScriptJson.WriteNumber(buffer, outgoingEvent.Timestamp);
        buffer.Write(",\"source\":"u8);
        WriteStringOrNull(buffer, outgoingEvent.Source);
        buffer.Write("}"u8);
    }

    private static void WriteStringOrNull(ArrayBufferWriter<byte> buffer, string? value)
    {
        if (value is null)
        {
            buffer.Write("null"u8);
        }
        else
        {
            JavaScriptJson.WriteString(buffer, value);
        }
    }

    /// <summary>The <c>id</c> of a delivery body written by <see cref="CreateBody"/> (its first property).</summary>
    private static string EventId(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                return reader.GetString() ?? string.Empty;
            }
        }

        return string.Empty;
    }

    /// <param name="traceParent">The trace of the work that produced the event; the delivery continues it and sends it on.</param>
    /// <param name="previousSecret">
    /// While the client app's secret is being rotated, its previous secret: <c>webhook-signature</c> then carries a signature
    /// with each secret, so receivers that still hold the previous one keep verifying (see <see cref="SignHeaders"/>).
    /// </param>
    public Task<WebhookDeliveryResult> SendAsync(
        string url, byte[] body, string secret, CancellationToken cancellationToken, string? traceParent = null, string? previousSecret = null) =>
        SendCoreAsync(url, body, secret, previousSecret, traceParent, cancellationToken);

    /// <summary>
    /// Writes the signature headers: the original's <c>x-task-signature</c> with the current secret only (its receivers compare
    /// the whole header with one computed value, so it cannot hold two), and Standard Webhooks' <c>webhook-signature</c> with
    /// one <c>v1,</c> signature per secret, separated by a space as the specification allows (the current secret's first).
    /// </summary>
    private static void SignHeaders(HttpRequestMessage request, byte[] body, string secret, string? previousSecret, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeMilliseconds();
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Compute(secret, body, timestamp));
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Standard Webhooks, for receivers that use one of its libraries; the message id is the event id in the body.
        var messageId = EventId(body);
        var seconds = now.ToUnixTimeSeconds();
        var signatures = StandardWebhookSignature.Compute(secret, messageId, seconds, body);
        if (previousSecret is not null)
        {
            signatures += " " + StandardWebhookSignature.Compute(previousSecret, messageId, seconds, body);
        }

        request.Headers.TryAddWithoutValidation(StandardWebhookSignature.IdHeader, messageId);
        request.Headers.TryAddWithoutValidation(StandardWebhookSignature.TimestampHeader, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(StandardWebhookSignature.SignatureHeader, signatures);
    }

    private async Task<WebhookDeliveryResult> SendCoreAsync(
        string url, byte[] body, string secret, string? previousSecret, string? traceParent, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var activity = TaskServiceActivities.StartDelivery(traceParent, url);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        SignHeaders(request, body, secret, previousSecret, time.GetUtcNow());

        // With tracing on, the client's handler writes traceparent for its own span; without it, the receiver still gets the event's trace.
        if (activity is null && traceParent is not null)
        {
            request.Headers.TryAddWithoutValidation(TaskServiceActivities.TraceParentHeader, traceParent);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            // Sent through the named client's handlers without an HttpClient around them: the sender keeps its own timeout, and an
            // HttpClient would link another cancellation source to it for every delivery. The answer's body is not read.
            using var invoker = new HttpMessageInvoker(handlers.CreateHandler(HttpClientName), disposeHandler: false);
            using var response = await invoker.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return Attempted(WebhookDeliveryResult.Delivered(status), started);
            }

            if (response.StatusCode == HttpStatusCode.Gone)
            {
                return Attempted(new WebhookDeliveryResult(WebhookDeliveryOutcome.Gone, status, "The receiver answered 410 Gone.", null), started);
            }

            return Attempted(new WebhookDeliveryResult(WebhookDeliveryOutcome.Retry, status, $"The receiver answered {status} {response.ReasonPhrase}.", RetryAfter(response)), started);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Attempted(new WebhookDeliveryResult(WebhookDeliveryOutcome.Retry, null, $"No answer within {options.Value.Timeout.TotalSeconds:0.###} s.", null), started);
        }
        catch (HttpRequestException exception) when (exception.InnerException is WebhookAddressRefusedException refused)
        {
            return Attempted(new WebhookDeliveryResult(WebhookDeliveryOutcome.Undeliverable, null, refused.Message, null), started);
        }
        catch (WebhookAddressRefusedException refused)
        {
            return Attempted(new WebhookDeliveryResult(WebhookDeliveryOutcome.Undeliverable, null, refused.Message, null), started);
        }
        catch (HttpRequestException exception)
        {
            return Attempted(new WebhookDeliveryResult(WebhookDeliveryOutcome.Retry, null, $"Request failed: {exception.Message}", null), started);
        }
    }

    private WebhookDeliveryResult Attempted(WebhookDeliveryResult result, long started)
    {
        WebhookInstruments.Attempted(result.Outcome, time.GetElapsedTime(started));
        return result;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
