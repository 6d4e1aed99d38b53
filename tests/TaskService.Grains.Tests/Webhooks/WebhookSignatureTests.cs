using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TaskService.Webhooks;

namespace TaskService.Grains.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string Secret = "s3cret";
    private const long Timestamp = 1_700_000_000_000;

    // Derived with Node 20:
    // createHmac('sha256', 's3cret').update(`${JSON.stringify(JSON.parse(body))}:1700000000000`).digest('hex')
    private const string KnownBody = """{"id":"1","payload":{"b":1,"a":"é"},"timestamp":1}""";
    private const string KnownSignature = "72e4b76b047b1fea1b60c4f9e2f4705793ce87ee29f7fab2840423b7cdca76c7";

    [Fact]
    public void ComputeMatchesTheKnownNodeSignature()
    {
        byte[] body = Encoding.UTF8.GetBytes(KnownBody);

        Assert.Equal(KnownSignature, WebhookSignature.Compute(Secret, body, Timestamp));
        Assert.Equal(KnownSignature, WebhookSignature.Compute("s3cret"u8, body, Timestamp));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(70_000)]
    public void BothSignaturesAreTheHmacOfTheDocumentedMessageWhateverTheBodySize(int size)
    {
        var body = Encoding.UTF8.GetBytes(new string('x', size));
        var key = Encoding.UTF8.GetBytes(Secret);

        var original = System.Security.Cryptography.HMACSHA256.HashData(key, (byte[])[.. body, .. Encoding.UTF8.GetBytes($":{Timestamp}")]);
        Assert.Equal(Convert.ToHexStringLower(original), WebhookSignature.Compute(Secret, body, Timestamp));

        var standard = System.Security.Cryptography.HMACSHA256.HashData(key, (byte[])[.. Encoding.UTF8.GetBytes("msg_é.1700000000."), .. body]);
        Assert.Equal("v1," + Convert.ToBase64String(standard), StandardWebhookSignature.Compute(Secret, "msg_é", 1_700_000_000, body));
    }

    [Fact]
    public void VerifyAcceptsTheKnownSignature()
    {
        Assert.True(WebhookSignature.Verify(Secret, Encoding.UTF8.GetBytes(KnownBody), Timestamp, KnownSignature));
    }

    [Fact]
    public void VerifyRejectsATamperedBodyTimestampOrSecret()
    {
        byte[] tampered = Encoding.UTF8.GetBytes(KnownBody.Replace("\"b\":1", "\"b\":2", StringComparison.Ordinal));

        Assert.False(WebhookSignature.Verify(Secret, tampered, Timestamp, KnownSignature));
        Assert.False(WebhookSignature.Verify(Secret, Encoding.UTF8.GetBytes(KnownBody), Timestamp + 1, KnownSignature));
        Assert.False(WebhookSignature.Verify("s3cret2", Encoding.UTF8.GetBytes(KnownBody), Timestamp, KnownSignature));
    }

    [Theory]
    [InlineData("")]
    [InlineData("72e4b76b")]
    [InlineData("72e4b76b047b1fea1b60c4f9e2f4705793ce87ee29f7fab2840423b7cdca76c")]
    [InlineData("72e4b76b047b1fea1b60c4f9e2f4705793ce87ee29f7fab2840423b7cdca76c70")]
    [InlineData("72e4b76b047b1fea1b60c4f9e2f4705793ce87ee29f7fab2840423b7cdca76cé")]
    [InlineData("72E4B76B047B1FEA1B60C4F9E2F4705793CE87EE29F7FAB2840423B7CDCA76C7")]
    public void VerifyRejectsSignaturesOfTheWrongLengthOrCase(string signature)
    {
        // The receivers compare hex text exactly, so uppercase hex is as wrong as a truncated signature.
        Assert.False(WebhookSignature.Verify(Secret, Encoding.UTF8.GetBytes(KnownBody), Timestamp, signature));
    }

    [Fact]
    public void VerifyRejectsAMissingSignature()
    {
        Assert.False(WebhookSignature.Verify(Secret, Encoding.UTF8.GetBytes(KnownBody), Timestamp, null));
    }

    [Fact]
    public void HeaderNamesAreTheOnesReceiversRead()
    {
        Assert.Equal("x-task-signature", WebhookSignature.SignatureHeader);
        Assert.Equal("x-task-timestamp", WebhookSignature.TimestampHeader);
    }

    [Fact]
    public async Task ReceiverRunningTheReadmeSampleAcceptsSignedJavaScriptJsonBodies()
    {
        // Payload text a producer might send: key order, number forms and escapes all change under
        // JSON.stringify(JSON.parse(...)), so signing these bytes as received would fail at the receiver.
        const string payload = """
            { "z": 1.0, "10": "\u00e9\ud800", "2": [1e21, 0.0000001, -0, 12345678901234567890],
              "a": "<script>\u2028</script>", "a": "\ud83d\ude00", "01": "\/" }
            """;
        using JsonDocument document = JsonDocument.Parse($$"""{"id":"d-1","key":"task.created","payload":{{payload}},"timestamp":{{Timestamp}},"source":"tests"}""");
        byte[] body = JavaScriptJson.SerializeToUtf8Bytes(document.RootElement);
        await using WebhookReceiver receiver = await WebhookReceiver.StartNodeAsync(Secret);

        HttpStatusCode signed = await PostAsync(receiver, "/hooks/a", body, WebhookSignature.Compute(Secret, body, Timestamp), Timestamp);
        HttpStatusCode forged = await PostAsync(receiver, "/hooks/a", body, WebhookSignature.Compute("other", body, Timestamp), Timestamp);
        HttpStatusCode rawSigned = await PostAsync(receiver, 
            "/hooks/a",
            Encoding.UTF8.GetBytes(payload),
            WebhookSignature.Compute(Secret, Encoding.UTF8.GetBytes(payload), Timestamp),
            Timestamp);

        Assert.Equal(HttpStatusCode.NoContent, signed);
        Assert.Equal(HttpStatusCode.Unauthorized, forged);
        Assert.Equal(HttpStatusCode.Unauthorized, rawSigned);
        IReadOnlyList<WebhookReceipt> received = await receiver.ReceivedAsync();
        Assert.Equal(new[] { true, false, false }, received.Select(r => r.Valid));
        WebhookReceipt first = received[0];
        Assert.Equal("/hooks/a", first.Path);
        Assert.Equal(WebhookSignature.Compute(Secret, body, Timestamp), first.Signature);
        Assert.Equal(Timestamp.ToString(CultureInfo.InvariantCulture), first.Timestamp);
        Assert.Equal("😀", first.Payload.GetProperty("a").GetString());
    }

    [Fact]
    public async Task ReceiverFailsThePathItIsToldToFailTheGivenNumberOfTimes()
    {
        byte[] body = """{"id":"d-2"}"""u8.ToArray();
        string signature = WebhookSignature.Compute(Secret, body, Timestamp);
        await using WebhookReceiver receiver = await WebhookReceiver.StartNodeAsync(Secret);
        await receiver.SetBehaviourAsync("/flaky", failTimes: 2, status: 503);

        HttpStatusCode[] statuses =
        [
            await PostAsync(receiver, "/flaky", body, signature, Timestamp),
            await PostAsync(receiver, "/flaky", body, signature, Timestamp),
            await PostAsync(receiver, "/flaky", body, signature, Timestamp),
            await PostAsync(receiver, "/steady", body, signature, Timestamp),
        ];

        Assert.Equal(
            new[] { HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.NoContent, HttpStatusCode.NoContent },
            statuses);
        Assert.Equal(4, (await receiver.ReceivedAsync()).Count);
    }

    [Fact]
    public async Task ReceiverHangsRequestsToAHangingPath()
    {
        byte[] body = """{"id":"d-3"}"""u8.ToArray();
        string signature = WebhookSignature.Compute(Secret, body, Timestamp);
        await using WebhookReceiver receiver = await WebhookReceiver.StartNodeAsync(Secret);
        await receiver.HangAsync("/stuck");

        Task<HttpStatusCode> stuck = PostAsync(receiver, "/stuck", body, signature, Timestamp);
        HttpStatusCode other = await PostAsync(receiver, "/fine", body, signature, Timestamp);

        Assert.Equal(HttpStatusCode.NoContent, other);
        // Both requests were recorded, yet the first still has no answer.
        await Eventually.ReturnsAsync(receiver.ReceivedAsync, r => r.Count == 2, TimeSpan.FromSeconds(10), "both requests are recorded");
        Assert.False(stuck.IsCompleted);
    }

    private static async Task<HttpStatusCode> PostAsync(WebhookReceiver receiver, string path, byte[] body, string signature, long timestamp)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add(WebhookSignature.SignatureHeader, signature);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        using HttpResponseMessage response = await receiver.Control.SendAsync(request);
        return response.StatusCode;
    }
}
