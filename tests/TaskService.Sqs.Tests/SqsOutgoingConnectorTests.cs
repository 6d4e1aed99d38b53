using System.Text.Json;
using Microsoft.Extensions.Options;
using TaskService.Connectors.Sqs;
using TaskService.Events;
using TaskService.Serialization;

namespace TaskService.Sqs.Tests;

/// <summary>The outgoing connector on its own: batches of ten, one task's events in order, an event handed over twice queued once.</summary>
public sealed class SqsOutgoingConnectorTests
{
    [Fact]
    public async Task ManyEventsGoOutTenPerBatchInOrderPerTaskAndAnEventHandedOverTwiceIsQueuedOnce()
    {
        using var sqs = SqsServer.Client();
        var (name, url) = await SqsServer.CreateQueueAsync(sqs, "events", fifo: true);
        using var connector = new SqsOutgoingConnector(Options.Create(new SqsOptions
        {
            ServiceUrl = new Uri(SqsServer.Url),
            Region = SqsServer.Region,
            Outgoing = new SqsOutgoingOptions { Enabled = true, Queue = name },
        }));

        // 25 events about 3 tasks, each task's in order: created, user task completed, completed, ...
        var events = Enumerable.Range(0, 25).Select(n => new OutgoingEvent
        {
            Id = $"e-{n}",
            Key = OutgoingEventTypes.All[n / 3 % 3],
            Payload = JsonElementFactory.Parse($$$"""{"taskId":"task-{{{n % 3}}}","n":{{{n}}}}"""),
            Timestamp = 1_700_000_000_000 + n,
        }).ToList();
        await connector.PublishManyAsync(events);
        await connector.PublishManyAsync(events[..5]);

        var received = await SqsServer.DrainAsync(sqs, url, events.Count + 1, TimeSpan.FromSeconds(5));

        Assert.Equal(events.Count, received.Count);
        foreach (var task in new[] { "task-0", "task-1", "task-2" })
        {
            var sent = events.Where(e => e.Payload.GetProperty("taskId").GetString() == task).Select(e => e.Id);
            var got = received.Where(m => m.Attributes["MessageGroupId"] == task).Select(m => m.MessageAttributes[SqsAttributes.EventId].StringValue);
            Assert.Equal(sent, got);
        }

        var first = received.Single(m => m.MessageAttributes[SqsAttributes.EventId].StringValue == "e-0");
        using var body = JsonDocument.Parse(first.Body);
        Assert.Equal("e-0", body.RootElement.GetProperty("id").GetString());
        Assert.Equal(events[0].Key, first.MessageAttributes[SqsAttributes.EventType].StringValue);
        Assert.Equal("application/json", first.MessageAttributes[SqsAttributes.ContentType].StringValue);
    }
}
