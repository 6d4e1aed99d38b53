using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TaskService.Events;
using TaskService.Serialization;
using TaskService.Outgoing;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Webhooks;

namespace TaskService.Grains.Tests.Outgoing;

/// <summary>The dispatcher hands pushed entries over without reading the outbox, and still reads it when it must.</summary>
public sealed class OutboxDispatcherTests
{
    private static readonly OutboxOptions Settings = new() { PollInterval = TimeSpan.FromSeconds(1), Lease = TimeSpan.FromSeconds(10), BatchSize = 2 };

    [Fact]
    public async Task PushedEntriesAreHandedOverWithoutAReadWhichComesWhenAskedAfterAFullReadAndOncePerPollInterval()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryTaskServiceStore(time);
        var reads = ClaimCounter.Wrap(store);
        var connector = new RecordingConnector();
        var dispatcher = new OutboxDispatcher(reads, [connector], Options.Create(Settings), new Microsoft.Extensions.Hosting.Internal.ApplicationLifetime(NullLogger<Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>.Instance),
            NullLogger<OutboxDispatcher>.Instance, time);

        // The first pass reads what an earlier run left.
        Assert.False(await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(1, ClaimCounter.Claims(reads));

        // Entries written claimed by this silo are pushed: handed over, and no read follows within the poll interval.
        for (var round = 0; round < 3; round++)
        {
            dispatcher.Push(await store.AppendClaimedOutboxAsync([Event($"pushed-{round}")], Settings.Lease));
            Assert.True(await dispatcher.DispatchBatchAsync(CancellationToken.None));
            Assert.False(await dispatcher.DispatchBatchAsync(CancellationToken.None));
        }

        Assert.Equal(["pushed-0", "pushed-1", "pushed-2"], connector.Ids);
        Assert.Equal(1, ClaimCounter.Claims(reads));

        // An entry written unclaimed is read when the writer says so.
        await store.AppendOutboxAsync([Event("notified")]);
        dispatcher.Notify();
        Assert.False(await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(2, ClaimCounter.Claims(reads));
        Assert.Equal("notified", connector.Ids[^1]);

        // One nobody announced (its writer went down first) is read within a poll interval, pushes or not.
        await store.AppendOutboxAsync([Event("left-1"), Event("left-2"), Event("left-3")]);
        Assert.False(await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(2, ClaimCounter.Claims(reads));
        time.Advance(Settings.PollInterval);

        // A full read (the batch size is 2) is followed by another read at once, until the outbox is drained.
        Assert.True(await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.False(await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(4, ClaimCounter.Claims(reads));
        Assert.Equal(["left-1", "left-2", "left-3"], connector.Ids[^3..]);
    }

    [Fact]
    public async Task AWriteIsClaimedWithItsDeliveryRowsOnlyWhereTheDispatcherRunsWithTheWebhookConnector()
    {
        var store = new InMemoryTaskServiceStore(TimeProvider.System);
        await store.SaveSubscriptionAsync(Subscription("active", WebhookSubscriptionStatus.Active));
        await store.SaveSubscriptionAsync(Subscription("disabled", WebhookSubscriptionStatus.Disabled));
        var webhooks = new WebhookConnector(store, null!, TimeProvider.System, NullLogger<WebhookConnector>.Instance);
        var outgoing = Event("prepared");

        // With the webhook connector alone, the rows are the whole hand-over: the write is made dispatched.
        var write = await Dispatcher(store, webhooks, Settings).PrepareAsync([outgoing]);
        Assert.Equal(Settings.Lease, write.ClaimFor);
        var row = Assert.Single(write.Deliveries!);
        Assert.Equal(("active", outgoing), (row.SubscriptionId, row.Event));
        Assert.True(write.Dispatched);

        // With another connector beside it: claimed with rows, and dispatched only once every connector has it.
        var withKafka = await Dispatcher(store, [webhooks, new RecordingConnector()], Settings).PrepareAsync([outgoing]);
        Assert.Equal((Settings.Lease, false), (withKafka.ClaimFor, withKafka.Dispatched));
        Assert.Single(withKafka.Deliveries!);

        // Without the webhook connector: claimed, no rows. With the dispatcher off: unclaimed, no rows. Neither dispatched.
        var withoutWebhooks = await Dispatcher(store, new RecordingConnector(), Settings).PrepareAsync([outgoing]);
        Assert.Equal((Settings.Lease, null, false), (withoutWebhooks.ClaimFor, withoutWebhooks.Deliveries, withoutWebhooks.Dispatched));
        var off = new OutboxOptions { Enabled = false, PollInterval = Settings.PollInterval, Lease = Settings.Lease, BatchSize = Settings.BatchSize };
        var unclaimed = await Dispatcher(store, webhooks, off).PrepareAsync([outgoing]);
        Assert.Equal((null, null, false), (unclaimed.ClaimFor, unclaimed.Deliveries, unclaimed.Dispatched));
        Assert.Equal([outgoing], unclaimed.Events);
    }

    [Fact]
    public async Task EntriesWrittenDispatchedWithTheirRowsAreHandedOverAndLeaveNothingToMarkOrToClaim()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryTaskServiceStore(time);
        await store.SaveSubscriptionAsync(Subscription("active", WebhookSubscriptionStatus.Active));
        var counted = ClaimCounter.Wrap(store);
        var connector = new RecordingConnector();
        var dispatcher = new OutboxDispatcher(counted, [connector], Options.Create(Settings), new Microsoft.Extensions.Hosting.Internal.ApplicationLifetime(NullLogger<Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>.Instance),
            NullLogger<OutboxDispatcher>.Instance, time);
        var subscription = (await store.GetActiveSubscriptionsAsync("task-created")).Single();
        var outgoing = Event("with-rows");

        var written = await store.AppendClaimedOutboxAsync([outgoing], Settings.Lease, [QueuedDelivery.First(subscription, outgoing, time.GetUtcNow())], dispatched: true);
        var entry = Assert.Single(written);
        Assert.True(entry.Dispatched);
        Assert.Single(entry.Deliveries!);
        Assert.Equal(0, (await store.GetOutboxBacklogAsync()).Count);
        Assert.Equal(["active"], await store.GetSubscriptionsWithDueDeliveriesAsync(time.GetUtcNow() + TimeSpan.FromSeconds(1), 10));

        dispatcher.Push(written);
        Assert.True(await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(["with-rows"], connector.Ids);
        Assert.Equal(0, ClaimCounter.Marks(counted));

        // Its claim running out gives no one anything to hand over again: its rows are the delivery log's to deliver.
        time.Advance(Settings.Lease + Settings.PollInterval);
        Assert.Empty(await store.ClaimOutboxAsync(10, Settings.Lease));

        // Written claimed but not dispatched, an entry is marked once handed over.
        dispatcher.Push(await store.AppendClaimedOutboxAsync([Event("marked")], Settings.Lease));
        Assert.True(await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(1, ClaimCounter.Marks(counted));
        Assert.Equal(0, (await store.GetOutboxBacklogAsync()).Count);
    }

    private static OutboxDispatcher Dispatcher(ITaskServiceStore store, IOutgoingConnector connector, OutboxOptions settings) =>
        Dispatcher(store, [connector], settings);

    private static OutboxDispatcher Dispatcher(ITaskServiceStore store, IOutgoingConnector[] connectors, OutboxOptions settings) =>
        new(store, connectors, Options.Create(settings), new Microsoft.Extensions.Hosting.Internal.ApplicationLifetime(NullLogger<Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>.Instance),
            NullLogger<OutboxDispatcher>.Instance);

    private static WebhookSubscriptionRecord Subscription(string id, WebhookSubscriptionStatus status) => new()
    {
        Id = id,
        Url = "http://example.test/hook",
        Key = "task-created",
        ClientAppId = "app",
        Status = status,
    };

    private static OutgoingEvent Event(string id) => new()
    {
        Id = id,
        Key = "task-created",
        Payload = JsonElementFactory.Parse("{}"),
        Timestamp = 1_764_761_234_567,
    };

    private sealed class RecordingConnector : IOutgoingConnector
    {
        public List<string> Ids { get; } = [];

        public string Name => "recording";

        public Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default)
        {
            Ids.Add(outgoingEvent.Id);
            return Task.CompletedTask;
        }
    }

    /// <summary>A store that counts the outbox reads (claims) and dispatched marks made through it.</summary>
    public class ClaimCounter : DispatchProxy
    {
        private ITaskServiceStore _inner = null!;
        private int _claims;
        private int _marks;

        public static ITaskServiceStore Wrap(ITaskServiceStore inner)
        {
            var proxy = Create<ITaskServiceStore, ClaimCounter>();
            ((ClaimCounter)(object)proxy)._inner = inner;
            return proxy;
        }

        public static int Claims(ITaskServiceStore proxy) => ((ClaimCounter)(object)proxy)._claims;

        public static int Marks(ITaskServiceStore proxy) => ((ClaimCounter)(object)proxy)._marks;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(ITaskServiceStore.ClaimOutboxAsync))
            {
                Interlocked.Increment(ref _claims);
            }

            if (targetMethod.Name == nameof(ITaskServiceStore.MarkDispatchedAsync))
            {
                Interlocked.Increment(ref _marks);
            }

            return targetMethod.Invoke(_inner, args);
        }
    }
}
