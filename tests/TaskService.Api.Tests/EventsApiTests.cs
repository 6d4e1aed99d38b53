using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class EventsApiTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task TriggeringTheSameIdempotencyKeyTwiceRecordsOneEvent()
    {
        var client = factory.CreateAdminClient();
        var key = $"order.created.{Guid.NewGuid():N}";
        var id = Guid.NewGuid().ToString();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/events/trigger")
            {
                Content = JsonContent.Create(new { key, payload = new { attempt = i }, source = "shop", description = "created" }),
            };
            request.Headers.Add("Idempotency-Key", id);
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var other = await client.PostAsJsonAsync("/events/trigger", new { key, payload = new { attempt = 9 }, source = "shop", description = "other" });
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);

        var where = Uri.EscapeDataString(JsonSerializer.Serialize(new { key }));
        await Eventually.ReturnsAsync(
            async () => (await client.GetFromJsonAsync<JsonElement>($"/events/count?where={where}")).GetProperty("count").GetInt64(),
            count => count == 2,
            because: "two distinct event ids were triggered");

        var recorded = await client.GetFromJsonAsync<JsonElement>($"/events/{id}");
        Assert.Equal(0, recorded.GetProperty("payload").GetProperty("attempt").GetInt32());
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>($"/events/count?where={where}")).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task TriggerWithoutTokenIs401AndWithoutPermissionIs403()
    {
        var anonymous = factory.CreateAnonymousClient();
        var response = await anonymous.PostAsJsonAsync("/events/trigger", new { key = "k", payload = new { } });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var viewer = factory.CreateClient(Permissions.ViewEvent);
        response = await viewer.PostAsJsonAsync("/events/trigger", new { key = "k", payload = new { } });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TriggerWithoutKeyIs400NamingTheField()
    {
        var client = factory.CreateAdminClient();
        var response = await client.PostAsJsonAsync("/events/trigger", new { payload = new { a = 1 } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("key", out _), problem.ToString());
    }
}
