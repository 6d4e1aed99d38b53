using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TaskService.Common;
using TaskService.Events;

namespace TaskService.Api.Tests;

/// <summary>Over the routing backlog bound, triggers are refused with 503 and Retry-After; what was accepted is all routed.</summary>
public sealed class BackpressureTests(BackpressureApiFactory factory) : IClassFixture<BackpressureApiFactory>
{
    [Fact]
    public async Task OverTheBacklogBoundATriggerIs503WithRetryAfterAndNothingAcceptedIsLost()
    {
        var client = factory.CreateAdminClient();
        var key = $"burst.{Guid.NewGuid():N}";
        var mapping = (await (await client.PostAsJsonAsync("/events/mapping", new { eventKey = key, workflowKey = "gated-process" })).ReadJsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var backlog = factory.Services.GetRequiredService<RoutingBacklog>();

        // The gate holds every start: the first three events fill the backlog, the next ones are refused.
        var ids = Enumerable.Range(0, 6).Select(i => $"burst-{Guid.NewGuid():N}-{i}").ToArray();
        var answers = new List<HttpResponseMessage>();
        foreach (var id in ids)
        {
            answers.Add(await TriggerAsync(client, key, id));
        }

        Assert.Equal(
            [HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable],
            answers.Select(a => a.StatusCode));
        var refused = answers[3];
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("again", problem.GetProperty("detail").GetString());
        Assert.Equal(BackpressureApiFactory.MaxBacklog, backlog.Count);

        // A refused event was not recorded: the sender still holds it.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/events/{ids[3]}")).StatusCode);

        // Routing resumes: the backlog drains, and the refused events sent again (same ids) are accepted and routed too.
        factory.Engine.Open();
        await Eventually.ReturnsAsync(() => Task.FromResult(backlog.Count), count => count == 0, because: "the backlog drains once starts go through");
        foreach (var id in ids[3..])
        {
            Assert.Equal(HttpStatusCode.Accepted, (await TriggerAsync(client, key, id)).StatusCode);
        }

        var expected = ids.Select(id => DeterministicId.From("event-workflow", id, mapping)).ToHashSet();
        await Eventually.ReturnsAsync(
            () => Task.FromResult(expected.Count(factory.Engine.Started.ContainsKey)),
            count => count == ids.Length,
            because: "every accepted event starts its workflow: nothing accepted is lost");
        Assert.All(ids, id => Assert.Equal(id, factory.Engine.Started[DeterministicId.From("event-workflow", id, mapping)].GetProperty("n").GetString()));
    }

    private static Task<HttpResponseMessage> TriggerAsync(HttpClient client, string key, string id)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/events/trigger") { Content = JsonContent.Create(new { key, payload = new { n = id } }) };
        request.Headers.Add("Idempotency-Key", id);
        return client.SendAsync(request);
    }
}
