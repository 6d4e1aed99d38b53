using System.Net;
using System.Text.Json;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

/// <summary>
/// Rotating a client app's secret: the new secret is returned once, the old one stays valid for the overlap (it authenticates
/// the app, and deliveries carry a Standard Webhooks signature with each secret, checked here by the npm
/// <c>standardwebhooks</c> library run by the Node receiver), and after the overlap only the new one does.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SecretRotationTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task DuringTheOverlapBothSecretsAuthenticateAndVerifyDeliveries()
    {
        var app = await ClientApp.CreateAsync(factory);
        var before = DateTimeOffset.UtcNow;

        var rotation = await RotateAsync(app);

        // The default overlap is TaskService:Webhooks:SecretRotationOverlap, 24 hours.
        var rotated = app with { ApiSecret = rotation.GetProperty("apiSecret").GetString()! };
        Assert.Matches("^[0-9a-f]{64}$", rotated.ApiSecret);
        Assert.NotEqual(app.ApiSecret, rotated.ApiSecret);
        Assert.Equal(app.ApiKey, rotation.GetProperty("apiKey").GetString());
        Assert.InRange(rotation.GetProperty("previousSecretValidUntil").GetDateTimeOffset(), before.AddHours(24), DateTimeOffset.UtcNow.AddHours(24).AddSeconds(1));
        await AssertAuthenticatesAsync(app, HttpStatusCode.OK);
        await AssertAuthenticatesAsync(rotated, HttpStatusCode.OK);

        var (withOld, withNew) = await DeliverOneEventAsync(app.ApiSecret, rotated);

        Assert.True(withOld.StandardValid, $"the previous secret verifies webhook-signature '{withOld.StandardSignature}' during the overlap");
        Assert.True(withNew.StandardValid, $"the new secret verifies webhook-signature '{withNew.StandardSignature}'");
        Assert.Equal(2, withNew.StandardSignature!.Split(' ').Count(s => s.StartsWith("v1,", StringComparison.Ordinal)));
        // The original's single-valued header is signed with the new secret (the receivers' README check ran with it).
        Assert.True(withNew.Valid && withOld.Valid, "x-task-signature is computed with the new secret");
    }

    [Fact]
    public async Task AfterTheOverlapOnlyTheNewSecretAuthenticatesAndVerifiesDeliveries()
    {
        var app = await ClientApp.CreateAsync(factory);
        var rotation = await RotateAsync(app, "?overlapSeconds=1");
        var rotated = app with { ApiSecret = rotation.GetProperty("apiSecret").GetString()! };
        var validUntil = rotation.GetProperty("previousSecretValidUntil").GetDateTimeOffset();

        // Waits for the clock, not for a fixed time: the overlap has ended once it is past validUntil.
        await Eventually.ReturnsAsync(() => Task.FromResult(DateTimeOffset.UtcNow), now => now > validUntil.AddMilliseconds(50), TimeSpan.FromSeconds(10), "the overlap ends");
        await AssertAuthenticatesAsync(app, HttpStatusCode.Unauthorized);
        await AssertAuthenticatesAsync(rotated, HttpStatusCode.OK);

        var (withOld, withNew) = await DeliverOneEventAsync(app.ApiSecret, rotated);

        Assert.False(withOld.StandardValid, $"the previous secret no longer verifies webhook-signature '{withOld.StandardSignature}'");
        Assert.True(withNew.StandardValid, $"the new secret verifies webhook-signature '{withNew.StandardSignature}'");
        Assert.Single(withNew.StandardSignature!.Split(' '));
    }

    [Fact]
    public async Task ARotationNeedsTheAppsCurrentCredentialsForThatAppAndAValidOverlap()
    {
        var app = await ClientApp.CreateAsync(factory);
        var other = await ClientApp.CreateAsync(factory);
        var client = factory.CreateClient(Permissions.CreateApiKey);

        await (await client.SendAsync(app.Sign(JsonApi.Request("POST", $"/client-apps/{app.Id}/rotate-secret?overlapSeconds=soon"))))
            .AssertBadRequestNamingAsync("overlapSeconds");
        await (await client.SendAsync(app.Sign(JsonApi.Request("POST", $"/client-apps/{app.Id}/rotate-secret?overlapSeconds=99999999999"))))
            .AssertBadRequestNamingAsync("overlapSeconds");
        await (await client.SendAsync(app.Sign(JsonApi.Request("POST", $"/client-apps/{app.Id}/rotate-secret?overlapSeconds="))))
            .AssertBadRequestNamingAsync("overlapSeconds");
        await (await client.SendAsync(app.Sign(JsonApi.Request("POST", $"/client-apps/{app.Id}/rotate-secret?overlapSeconds=%20"))))
            .AssertBadRequestNamingAsync("overlapSeconds");
        await (await client.SendAsync(JsonApi.Request("POST", $"/client-apps/{app.Id}/rotate-secret")))
            .AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.SendAsync(other.Sign(JsonApi.Request("POST", $"/client-apps/{app.Id}/rotate-secret"))))
            .AssertNotFoundAsync();
        await (await factory.CreateClient(Permissions.SubscribeToWebhook).SendAsync(app.Sign(JsonApi.Request("POST", $"/client-apps/{app.Id}/rotate-secret"))))
            .AssertStatusAsync(HttpStatusCode.Forbidden);

        // None of these changed the secret.
        await AssertAuthenticatesAsync(app, HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheReplacedSecretAuthenticatesDuringTheOverlapButCannotRotateAgain()
    {
        var app = await ClientApp.CreateAsync(factory);
        var rotated = app with { ApiSecret = (await RotateAsync(app)).GetProperty("apiSecret").GetString()! };

        // Whoever holds only the replaced secret (the one a rotation is made to retire) must not be able to take the app back.
        var response = await factory.CreateClient(Permissions.CreateApiKey)
            .SendAsync(app.Sign(JsonApi.Request("POST", $"/client-apps/{app.Id}/rotate-secret?overlapSeconds=0")));

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("current", problem.GetProperty("detail").GetString());
        await AssertAuthenticatesAsync(rotated, HttpStatusCode.OK);
        await AssertAuthenticatesAsync(app, HttpStatusCode.OK);
        var again = await RotateAsync(rotated, "?overlapSeconds=0");
        await AssertAuthenticatesAsync(rotated, HttpStatusCode.Unauthorized);
        await AssertAuthenticatesAsync(app with { ApiSecret = again.GetProperty("apiSecret").GetString()! }, HttpStatusCode.OK);
    }

    private async Task<JsonElement> RotateAsync(ClientApp app, string query = "")
    {
        var response = await factory.CreateClient(Permissions.CreateApiKey)
            .SendAsync(app.Sign(JsonApi.Request("POST", $"/client-apps/{app.Id}/rotate-secret{query}")));
        var rotation = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(app.Id, rotation.GetProperty("id").GetString());
        return rotation;
    }

    private async Task AssertAuthenticatesAsync(ClientApp app, HttpStatusCode expected)
    {
        using var client = app.CreateWebhooksClient(factory);
        await (await client.GetAsync("/webhooks")).AssertStatusAsync(expected);
    }

    /// <summary>
    /// Delivers one task-created event to two receivers: one whose Standard Webhooks check knows only the previous secret, one
    /// that knows only the new secret. Both check <c>x-task-signature</c> with the new secret.
    /// </summary>
    private async Task<(WebhookReceipt WithOld, WebhookReceipt WithNew)> DeliverOneEventAsync(string previousSecret, ClientApp rotated)
    {
        await using var oldReceiver = await WebhookReceiver.StartNodeAsync(rotated.ApiSecret, [previousSecret]);
        await using var newReceiver = await WebhookReceiver.StartNodeAsync(rotated.ApiSecret, [rotated.ApiSecret]);
        var key = TaskSeeding.NewKey("rotation");
        var path = DeliveryScope.NewPath("rotation");
        var subscriptions = new[]
        {
            (await rotated.SubscribeAsync(factory, oldReceiver.Url(path), "task-created")).GetProperty("id").GetString()!,
            (await rotated.SubscribeAsync(factory, newReceiver.Url(path), "task-created")).GetProperty("id").GetString()!,
        };
        try
        {
            await factory.CreateTasksFromJsonAsync($$"""[{"key": "{{key}}", "name": "rotation"}]""");
            var withOld = await Eventually.ReturnsAsync(() => oldReceiver.ReceivedForAsync(path, key), r => r.Count > 0, because: "the delivery reaches the first receiver");
            var withNew = await Eventually.ReturnsAsync(() => newReceiver.ReceivedForAsync(path, key), r => r.Count > 0, because: "the delivery reaches the second receiver");
            Assert.NotNull(withOld[0].StandardValid);
            return (withOld[0], withNew[0]);
        }
        finally
        {
            using var webhooks = rotated.CreateWebhooksClient(factory);
            foreach (var id in subscriptions)
            {
                using var _ = await webhooks.DeleteAsync($"/webhooks/{id}");
            }
        }
    }
}
