using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TaskService.Gateway.Auth;
using TaskService.Webhooks;

namespace TaskService.Api.Tests;

/// <summary>
/// Deliveries to a real receiver: the Node receiver of tests/node checks each one with the task-service README's signature
/// sample, so these tests fail if a body is not a fixed point of JSON.stringify(JSON.parse(body)) or is signed wrongly.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WebhookDeliveryTests(TaskServiceApiFactory factory)
{
    private WebhookOptions Options => factory.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;

    [Theory]
    [InlineData("nested objects", "\"Nested\"", """{"customer": {"address": {"city": "Oslo", "geo": {"lat": 59.91, "lng": 10.75}}, "flags": {"vip": true, "blocked": false, "note": null}}, "empty": {}, "b": 1, "2": "two", "a": {"10": 10, "1": 1, "x": {}}}""")]
    [InlineData("arrays", "\"Arrays\"", """{"items": [1, "two", [3, [4, {"five": 5}]], {"six": [6]}, null, true, []], "matrix": [[1, 2], [3, 4]], "objects": [{"b": 2, "a": 1}]}""")]
    [InlineData("unicode strings", "\"Zürich – 東京 – 😀 – \\\"quoted\\\"\"", """{"text": "ünïcödé ✓ \u00e9 e\u0301 \ud83d\ude00 \u2028 \u2029 \"q\" back\\slash \/ tab\t nl\n bell\u0007 del\u007f </script>", "ключ": "значение", "emoji 🎉": "🎉", "escaped": "\u00fc\u00DF"}""")]
    [InlineData("numbers", "\"Numbers\"", """{"one": 1.0, "big": 1e21, "tenth": 0.1, "bigInteger": 12345678901234567890, "huger": 123456789012345678901234567890, "negativeZero": -0, "tiny": 5e-324, "max": 1.7976931348623157e308, "overflow": 1e400, "small": 1e-7, "exponent": 1E+2, "negative": -12.50, "sum": 0.30000000000000004, "int": 42, "list": [1.5e300, 2e-10, 100]}""")]
    [InlineData("duplicate keys", "\"Duplicates\"", """{"a": 1, "b": 2, "a": 3}""")]
    public async Task DeliveriesPassTheSampleSignatureCheckAndCarryTheCreatedTasks(string kind, string nameJson, string metadata)
    {
        await using var scope = await DeliveryScope.StartAsync(factory);
        var path = DeliveryScope.NewPath("created");
        await scope.SubscribeAsync(path);
        var key = TaskSeeding.NewKey("delivery");

        var ids = await factory.CreateTasksFromJsonAsync(
            $$$"""[{"key": "{{{key}}}", "name": {{{nameJson}}}, "metadata": {{{metadata}}}}, {"key": "{{{key}}}", "name": "second", "metadata": {"n": 2}}]""");

        var receipts = await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(path, key), r => r.Count > 0, because: $"the {kind} delivery arrives");
        var receipt = Assert.Single(receipts);
        Assert.True(receipt.Valid, $"the README sample rejected the signature of a delivery with {kind}: {receipt.Body}");
        Assert.True(receipt.StandardValid, $"the Standard Webhooks library (npm standardwebhooks, installed by scripts/test.sh) did not accept the webhook-* headers of a delivery with {kind}: {receipt.Body}");
        Assert.Equal("task-created", receipt.Key);
        Assert.Equal("task-service", receipt.Body.GetProperty("source").GetString());
        // The header is the signing time of this attempt; the body's timestamp is when the event happened.
        var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(receipt.Timestamp!));
        Assert.InRange(signedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.True(receipt.Body.GetProperty("timestamp").GetInt64() <= signedAt.ToUnixTimeMilliseconds(), "an event is signed after it happened");
        var created = receipt.Payload.GetProperty("createdTasks");
        Assert.Equal(ids, created.Values("id"));
        JsonSemantics.AssertEquivalent(Parse(metadata), created[0].GetProperty("metadata"));
        var client = factory.CreateClient(Permissions.ViewTask);
        for (var i = 0; i < ids.Count; i++)
        {
            JsonSemantics.AssertEquivalent(await client.GetJsonAsync($"/tasks/{ids[i]}"), created[i], $"createdTasks[{i}]");
        }
    }

    [Fact]
    public async Task ALoneSurrogateInMetadataIsDeliveredIntactOrRefusedNamingTheField()
    {
        // "\ud800" is valid JSON text and JavaScript produces it; the webhook body writer preserves it. The service may either
        // carry it through or refuse it up front as invalid input, but not fail half-way with a serializer exception.
        await using var scope = await DeliveryScope.StartAsync(factory);
        var path = DeliveryScope.NewPath("surrogates");
        await scope.SubscribeAsync(path);
        var key = TaskSeeding.NewKey("surrogates");
        const string metadata = """{"lone": "\ud800", "low": "x\udc00y", "reversed": "\udc00\ud800", "pair": "\ud83d\ude00"}""";

        IReadOnlyList<string> ids;
        try
        {
            ids = await factory.CreateTasksFromJsonAsync($$$"""[{"key": "{{{key}}}", "name": "surrogates", "metadata": {{{metadata}}}}]""");
        }
        catch (Exception refused) when (refused is not Xunit.Sdk.XunitException)
        {
            var invalid = Assert.IsType<Errors.TaskServiceException>(refused);
            Assert.Equal(Errors.TaskServiceErrorKind.Invalid, invalid.Kind);
            Assert.Contains("metadata", invalid.Target);
            return;
        }

        var receipt = Assert.Single(await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(path, key), r => r.Count > 0));
        Assert.True(receipt.Valid, receipt.Body.ToString());
        Assert.Equal(ids, receipt.Payload.GetProperty("createdTasks").Values("id"));
        JsonSemantics.AssertEquivalent(Parse(metadata), receipt.Payload.GetProperty("createdTasks")[0].GetProperty("metadata"));
    }

    [Fact]
    public async Task EachSubscriberIsSignedWithItsOwnAppsSecret()
    {
        await using var first = await DeliveryScope.StartAsync(factory);
        await using var second = await DeliveryScope.StartAsync(factory);
        var path = DeliveryScope.NewPath("shared");
        await first.SubscribeAsync(path);
        await second.SubscribeAsync(path);
        var key = TaskSeeding.NewKey("two-apps");

        await factory.CreateTasksAsync(new { key, name = "for both" });

        foreach (var scope in new[] { first, second })
        {
            var receipts = await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(path, key), r => r.Count > 0);
            Assert.True(Assert.Single(receipts).Valid, "the delivery is signed with the secret of the app that subscribed");
        }
    }

    [Fact]
    public async Task TaskCompletedIsDeliveredOnceAndOnlyToTaskCompletedSubscribers()
    {
        await using var scope = await DeliveryScope.StartAsync(factory);
        var path = DeliveryScope.NewPath("completed");
        await scope.SubscribeAsync(path, "task-completed");
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("complete"), name = "to complete" });
        var later = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("complete"), name = "completed later" });

        await factory.EndTaskAsync(ids[0]);
        await factory.EndTaskAsync(ids[0]);
        await factory.EndTaskAsync(later[0]);

        // Both tasks' events are in; a second task-completed of the first task would have been made before the later one's.
        await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(path, later[0]), r => r.Count > 0);
        await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(path, ids[0]), r => r.Count > 0);
        var receipt = Assert.Single(await scope.Receiver.ReceivedForAsync(path, ids[0]));
        Assert.True(receipt.Valid, receipt.Body.ToString());
        Assert.Equal("task-completed", receipt.Key);
        Assert.Equal(ids[0], receipt.Payload.GetProperty("taskId").GetString());
        Assert.DoesNotContain(await scope.Receiver.ReceivedAsync(), r => r.Path == path && r.Key != "task-completed");
    }

    [Fact]
    public async Task ATamperedDeliveryIsRejectedByTheSampleSignatureCheck()
    {
        await using var scope = await DeliveryScope.StartAsync(factory);
        var path = DeliveryScope.NewPath("original");
        await scope.SubscribeAsync(path);
        var key = TaskSeeding.NewKey("tamper");
        await factory.CreateTasksAsync(new { key, name = "genuine", metadata = new { amount = 100 } });
        var original = (await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(path, key), r => r.Count > 0))[0];
        Assert.True(original.Valid);
        var replay = DeliveryScope.NewPath("replay");

        var untouched = await PostAsync(scope.Receiver, replay, original.Body.GetRawText(), original.Signature, original.Timestamp);
        var body = JsonNode.Parse(original.Body.GetRawText())!;
        body["payload"]!["createdTasks"]![0]!["metadata"]!["amount"] = 1000;
        var tampered = await PostAsync(scope.Receiver, replay, body.ToJsonString(), original.Signature, original.Timestamp);
        var otherTimestamp = await PostAsync(scope.Receiver, replay, original.Body.GetRawText(), original.Signature, (long.Parse(original.Timestamp!) + 1).ToString());

        // Replaying the genuine body and headers shows the replay itself is faithful; changing a value or the timestamp breaks it.
        await untouched.AssertStatusAsync(HttpStatusCode.NoContent);
        await tampered.AssertStatusAsync(HttpStatusCode.Unauthorized);
        await otherTimestamp.AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AReceiverThatFailsTwiceGetsTheEventExactlyOnceOnTheThirdAttempt()
    {
        await using var scope = await DeliveryScope.StartAsync(factory);
        var path = DeliveryScope.NewPath("flaky");
        await scope.Receiver.SetBehaviourAsync(path, failTimes: 2, status: 500);
        var subscription = await scope.SubscribeAsync(path);
        var key = TaskSeeding.NewKey("retry");
        var laterKey = TaskSeeding.NewKey("retry-later");

        await factory.CreateTasksAsync(new { key, name = "retried" });
        await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(path, key), r => r.Count >= 3, because: "two failures and one success");
        // A later event on the same subscription is delivered only after the first one is done with.
        await factory.CreateTasksAsync(new { key = laterKey, name = "later" });
        await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(path, laterKey), r => r.Count > 0);

        var attempts = await scope.Receiver.ReceivedForAsync(path, key);
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.True(a.Valid, "every attempt is signed"));
        Assert.Single(attempts.Select(a => a.EventId).Distinct());
        // The receiver answered 500 to the first two requests on the path and 204 to every valid one after them.
        var answeredWith2xx = (await scope.Receiver.ReceivedAsync()).Where(r => r.Path == path).Skip(2).Where(r => r.Valid);
        Assert.Equal(1, answeredWith2xx.Count(r => r.EventId == attempts[0].EventId));
        var stats = await Eventually.ReturnsAsync(() => scope.StatsAsync(subscription), s => s.Delivered == 2);
        Assert.Equal(0, stats.Pending);
        Assert.Equal(0, stats.Failed);
    }

    [Fact]
    public async Task AReceiverThatKeepsFailingIsGivenUpAfterMaxAttemptsAndStaysSubscribed()
    {
        await using var scope = await DeliveryScope.StartAsync(factory);
        var path = DeliveryScope.NewPath("broken");
        await scope.Receiver.SetBehaviourAsync(path, failTimes: 1000, status: 503);
        var subscription = await scope.SubscribeAsync(path);
        var key = TaskSeeding.NewKey("give-up");

        await factory.CreateTasksAsync(new { key, name = "never delivered" });

        var stats = await Eventually.ReturnsAsync(() => scope.StatsAsync(subscription), s => s.Failed == 1, because: "the delivery is given up");
        Assert.Equal(0, stats.Pending);
        Assert.Equal(0, stats.Delivered);
        Assert.Contains("503", stats.LastError);
        Assert.Equal(Options.MaxAttempts, (await scope.Receiver.ReceivedForAsync(path, key)).Count);
        var listed = await scope.Webhooks.GetJsonAsync("/webhooks");
        Assert.Equal("active", listed.EnumerateArray().Single(s => s.GetProperty("id").GetString() == subscription).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AHangingSubscriberDoesNotDelayAnotherSubscriber()
    {
        await using var scope = await DeliveryScope.StartAsync(factory);
        var hanging = DeliveryScope.NewPath("hanging");
        var healthy = DeliveryScope.NewPath("healthy");
        await scope.Receiver.SetBehaviourAsync(hanging, hang: true);
        var hangingSubscription = await scope.SubscribeAsync(hanging);
        await scope.SubscribeAsync(healthy);
        var key = TaskSeeding.NewKey("hang");
        // Well inside the webhook timeout: if the healthy delivery waited for the hanging one, it could not arrive this soon.
        var prompt = Options.Timeout * 0.75;

        var clock = Stopwatch.StartNew();
        await factory.CreateTasksAsync(new { key, name = "everyone" });

        var delivered = await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(healthy, key), r => r.Count > 0, timeout: prompt);
        var held = await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(hanging, key), r => r.Count > 0, timeout: prompt);
        var hangingStats = await scope.StatsAsync(hangingSubscription);
        var elapsed = clock.Elapsed;

        Assert.True(Assert.Single(delivered).Valid);
        Assert.Single(held);
        Assert.Equal(1, hangingStats.Pending);
        Assert.Equal(0, hangingStats.Delivered);
        Assert.True(elapsed < Options.Timeout, $"checked within the hanging request's timeout ({elapsed.TotalMilliseconds:0} ms), so it was still pending");
    }

    [Fact]
    public async Task GoneDisablesTheSubscriptionAndLaterEventsAreNotSentToIt()
    {
        await using var scope = await DeliveryScope.StartAsync(factory);
        var gone = DeliveryScope.NewPath("gone");
        var control = DeliveryScope.NewPath("control");
        await scope.Receiver.SetBehaviourAsync(gone, failTimes: 1000, status: 410);
        var goneSubscription = await scope.SubscribeAsync(gone);
        var controlSubscription = await scope.SubscribeAsync(control);
        var key = TaskSeeding.NewKey("gone");
        var laterKey = TaskSeeding.NewKey("gone-later");

        await factory.CreateTasksAsync(new { key, name = "first" });

        var subscriptions = await Eventually.ReturnsAsync(
            () => scope.Webhooks.GetJsonAsync("/webhooks"),
            list => Status(list, goneSubscription) == "disabled",
            because: "a 410 disables the subscription");
        Assert.Contains("410", subscriptions.EnumerateArray().Single(s => s.GetProperty("id").GetString() == goneSubscription).GetProperty("statusReason").GetString());
        Assert.Equal("active", Status(subscriptions, controlSubscription));

        await factory.CreateTasksAsync(new { key = laterKey, name = "later" });

        await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(control, laterKey), r => r.Count > 0, because: "the active subscription still gets events");
        Assert.Single(await scope.Receiver.ReceivedForAsync(gone, key));
        Assert.Empty(await scope.Receiver.ReceivedForAsync(gone, laterKey));
        Assert.Equal(0, (await scope.StatsAsync(goneSubscription)).Pending);
    }

    [Fact]
    public async Task SubscribingAgainReactivatesASubscriptionDisabledByGone()
    {
        await using var scope = await DeliveryScope.StartAsync(factory);
        var path = DeliveryScope.NewPath("gone-again");
        await scope.Receiver.SetBehaviourAsync(path, failTimes: 1, status: 410);
        var subscription = await scope.SubscribeAsync(path);
        var key = TaskSeeding.NewKey("gone-again");
        var laterKey = TaskSeeding.NewKey("gone-again-later");

        await factory.CreateTasksAsync(new { key, name = "first" });
        await Eventually.ReturnsAsync(
            () => scope.Webhooks.GetJsonAsync("/webhooks"),
            list => Status(list, subscription) == "disabled",
            because: "a 410 disables the subscription");

        // The 409 of a redelivery says to subscribe again; doing so must make the subscription active, not answer the disabled one.
        var again = await scope.SubscribeAsync(path);
        Assert.Equal(subscription, again);
        var listed = await scope.Webhooks.GetJsonAsync("/webhooks");
        Assert.Equal("active", Status(listed, subscription));
        Assert.False(listed.EnumerateArray().Single(s => s.GetProperty("id").GetString() == subscription).TryGetProperty("statusReason", out _));

        await factory.CreateTasksAsync(new { key = laterKey, name = "later" });
        var receipts = await Eventually.ReturnsAsync(
            () => scope.Receiver.ReceivedForAsync(path, laterKey), r => r.Count > 0, because: "the subscription subscribed again gets events");
        Assert.True(Assert.Single(receipts).Valid);
    }

    [Fact]
    public async Task ADeletedSubscriptionGetsNoFurtherEvents()
    {
        await using var scope = await DeliveryScope.StartAsync(factory);
        var deleted = DeliveryScope.NewPath("deleted");
        var control = DeliveryScope.NewPath("control");
        var subscription = await scope.SubscribeAsync(deleted);
        await scope.SubscribeAsync(control);
        await (await scope.Webhooks.DeleteAsync($"/webhooks/{subscription}")).AssertStatusAsync(HttpStatusCode.NoContent);
        var key = TaskSeeding.NewKey("after-delete");

        await factory.CreateTasksAsync(new { key, name = "after" });

        await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(control, key), r => r.Count > 0);
        Assert.Empty(await scope.Receiver.ReceivedForAsync(deleted, key));
    }

    [Fact]
    public async Task TooManyRequestsWithRetryAfterIsRetriedAfterTheAskedDelay()
    {
        var app = await ClientApp.CreateAsync(factory);
        var key = TaskSeeding.NewKey("throttled");
        await using var receiver = await WebhookReceiver.StartAsync(answer: (request, earlier) =>
            request.Text.Contains(key, StringComparison.Ordinal) && !earlier.Any(r => r.Text.Contains(key, StringComparison.Ordinal))
                ? new WebhookAnswer(429, new Dictionary<string, string> { ["Retry-After"] = "1" })
                : new WebhookAnswer(204));
        var subscription = (await app.SubscribeAsync(factory, receiver.Url("/throttled"), "task-created")).GetProperty("id").GetString()!;
        try
        {
            await factory.CreateTasksAsync(new { key, name = "throttled" });

            await Eventually.ReturnsAsync(async () => (await receiver.ReceivedAsync()).Count(r => r.Text.Contains(key, StringComparison.Ordinal)), n => n >= 2, because: "the 429 is retried");
            var stats = await Eventually.ReturnsAsync(() => factory.Grains().GetGrain<IWebhookSubscriptionGrain>(subscription).GetDeliveryStatsAsync(), s => s.Delivered == 1);

            var attempts = (await receiver.ReceivedAsync()).Where(r => r.Text.Contains(key, StringComparison.Ordinal)).ToArray();
            Assert.Equal(2, attempts.Length);
            Assert.Equal(attempts[0].Text, attempts[1].Text);
            Assert.All(attempts, a => Assert.True(WebhookSignature.Verify(app.ApiSecret, Encoding.UTF8.GetBytes(a.Text), long.Parse(a.Timestamp!), a.Signature)));
            // Retry-After: 1 asks for a second; the service caps waits at MaxBackoff. Its own first backoff is at most InitialBackoff.
            var asked = TimeSpan.FromSeconds(1) < Options.MaxBackoff ? TimeSpan.FromSeconds(1) : Options.MaxBackoff;
            Assert.True(asked > Options.InitialBackoff * 2, "the test needs the asked delay to be distinguishable from the computed backoff");
            var gap = attempts[1].ArrivedAt - attempts[0].ArrivedAt;
            Assert.True(gap >= asked * 0.9, $"the retry came {gap.TotalMilliseconds:0} ms after the 429, before the {asked.TotalMilliseconds:0} ms asked for");
            Assert.Equal(0, stats.Pending);
        }
        finally
        {
            using var _ = await app.CreateWebhooksClient(factory).DeleteAsync($"/webhooks/{subscription}");
        }
    }

    private static string? Status(JsonElement subscriptions, string id) =>
        subscriptions.EnumerateArray().FirstOrDefault(s => s.GetProperty("id").GetString() == id) is { ValueKind: JsonValueKind.Object } found
            ? found.GetProperty("status").GetString()
            : null;

    private static async Task<HttpResponseMessage> PostAsync(WebhookReceiver receiver, string path, string body, string? signature, string? timestamp)
    {
        var request = JsonApi.Request("POST", path, body);
        request.Headers.Add("x-task-signature", signature);
        request.Headers.Add("x-task-timestamp", timestamp);
        return await receiver.Control.SendAsync(request);
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
