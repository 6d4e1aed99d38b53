using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using TaskService.Common;
using TaskService.Events;
using TaskService.Storage;

namespace TaskService.Api.Tests;

/// <summary>An event whose routing fails is dead-lettered and the router's queue moves on: the next event of the key is routed.</summary>
public sealed class DeadLetterTests(DeadLetterApiFactory factory) : IClassFixture<DeadLetterApiFactory>
{
    [Fact]
    public async Task AnEventWhoseRoutingFailsIsDeadLetteredAndTheNextEventOfTheSameKeyIsRouted()
    {
        var failures = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EventRoutingInstruments.MeterName && instrument.Name == "taskservice.events.dead_lettered")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();

        var client = factory.CreateAdminClient();
        var key = $"poison.{Guid.NewGuid():N}";
        var mapping = (await (await client.PostAsJsonAsync("/events/mapping", new { eventKey = key, workflowKey = "any-process" })).ReadJsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        // One routing at a time: the poisoned event is in front of the good one in the same router's queue.
        var poisoned = $"poisoned-{Guid.NewGuid():N}";
        var good = $"good-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.Accepted, (await TriggerAsync(client, key, poisoned, poison: true)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await TriggerAsync(client, key, good, poison: false)).StatusCode);

        await Eventually.ReturnsAsync(
            () => Task.FromResult(factory.Engine.Started.ContainsKey(DeterministicId.From("event-workflow", good, mapping))),
            started => started, because: "the event behind the failed one is routed");
        Assert.False(factory.Engine.Started.ContainsKey(DeterministicId.From("event-workflow", poisoned, mapping)));
        Assert.True(Interlocked.Read(ref failures) >= 1, "The failure is counted on taskservice.events.dead_lettered.");

        // Dead-lettered, not dropped: it stays recorded as not routed, where the sweeper finds it; the good one is noted as routed.
        var store = factory.Services.GetRequiredService<ITaskServiceStore>();
        var unrouted = await store.GetUnroutedEventsAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10_000);
        Assert.Contains(unrouted, e => e.Id == poisoned);
        await Eventually.ReturnsAsync(
            async () => (await store.GetUnroutedEventsAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10_000)).Any(e => e.Id == good),
            stillUnrouted => !stillUnrouted, because: "the routed event is noted as routed");
    }

    private static Task<HttpResponseMessage> TriggerAsync(HttpClient client, string key, string id, bool poison)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/events/trigger") { Content = JsonContent.Create(new { key, payload = new { poison } }) };
        request.Headers.Add("Idempotency-Key", id);
        return client.SendAsync(request);
    }
}
