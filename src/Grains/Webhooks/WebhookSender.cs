using System.Net;
using System.Net.Http.Headers;
using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TaskService.Events;

namespace TaskService.Webhooks;

/// <summary>Makes one signed webhook POST and classifies the answer.</summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const string HttpClientName = "TaskService.Webhooks";

    /// <summary>
    /// The delivery body, <c>{id, key, payload, timestamp, source}</c>, written exactly as JavaScript's JSON.stringify would write it,
    /// so a receiver that re-serializes the parsed body computes the same signature.
    /// </summary>
    public static byte[] CreateBody(OutgoingEvent outgoingEvent)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", outgoingEvent.Id);
            writer.WriteString("key", outgoingEvent.Key);
            writer.WritePropertyName("payload");
            writer.WriteRawValue(outgoingEvent.Payload.ValueKind == JsonValueKind.Undefined ? "null" : outgoingEvent.Payload.GetRawText(), skipInputValidation: true);
            writer.WriteNumber("timestamp", outgoingEvent.Timestamp);
            writer.WriteString("source", outgoingEvent.Source);
            writer.WriteEndObject();
        }

        using var envelope = JsonDocument.Parse(buffer.WrittenMemory);
        return JavaScriptJson.SerializeToUtf8Bytes(envelope.RootElement);
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
    public async Task<WebhookDeliveryResult> SendAsync(string url, byte[] body, string secret, CancellationToken cancellationToken, string? traceParent = null)
    {
        using var activity = TaskServiceActivities.StartDelivery(traceParent, url);
        var now = time.GetUtcNow();
        var timestamp = now.ToUnixTimeMilliseconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Compute(secret, body, timestamp));
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Standard Webhooks, for receivers that use one of its libraries; the message id is the event id in the body.
        var messageId = EventId(body);
        var seconds = now.ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation(StandardWebhookSignature.IdHeader, messageId);
        request.Headers.TryAddWithoutValidation(StandardWebhookSignature.TimestampHeader, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(StandardWebhookSignature.SignatureHeader, StandardWebhookSignature.Compute(secret, messageId, seconds, body));

        // With tracing on, HttpClient writes traceparent for its own span; without it, the receiver still gets the event's trace.
        if (activity is null && traceParent is not null)
        {
            request.Headers.TryAddWithoutValidation(TaskServiceActivities.TraceParentHeader, traceParent);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await clients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return WebhookDeliveryResult.Delivered(status);
            }

            if (response.StatusCode == HttpStatusCode.Gone)
            {
                return new WebhookDeliveryResult(WebhookDeliveryOutcome.Gone, status, "The receiver answered 410 Gone.", null);
            }

            return new WebhookDeliveryResult(WebhookDeliveryOutcome.Retry, status, $"The receiver answered {status} {response.ReasonPhrase}.", RetryAfter(response));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookDeliveryResult(WebhookDeliveryOutcome.Retry, null, $"No answer within {options.Value.Timeout.TotalSeconds:0.###} s.", null);
        }
        catch (HttpRequestException exception) when (exception.InnerException is WebhookAddressRefusedException refused)
        {
            return new WebhookDeliveryResult(WebhookDeliveryOutcome.Undeliverable, null, refused.Message, null);
        }
        catch (WebhookAddressRefusedException refused)
        {
            return new WebhookDeliveryResult(WebhookDeliveryOutcome.Undeliverable, null, refused.Message, null);
        }
        catch (HttpRequestException exception)
        {
            return new WebhookDeliveryResult(WebhookDeliveryOutcome.Retry, null, $"Request failed: {exception.Message}", null);
        }
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
}
