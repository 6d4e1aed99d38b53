using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskService.Errors;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Tasks;
using TaskService.Workflows;

namespace TaskService.Grains.Tests.Engine;

/// <summary>
/// A router whose silo stops: with another silo active it routes what it holds, as the other can take the instances; alone, it
/// leaves the events still waiting for the next start instead of trying starts that can only fail.
/// </summary>
public sealed class RouterShutdownTests
{
    private const int Running = 2;
    private const int Events = 6;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly SiloAddress Local = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress Other = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 1);

    [Fact]
    public Task ALoneStoppingSiloLeavesItsWaitingEventsUnroutedForTheNextStartAndLetsTheRunningOnesFinish() => AsActivationAsync(async () =>
    {
        await using var setup = await Setup.StartAsync(Membership((Local, SiloStatus.ShuttingDown)));

        var leaving = setup.Router.OnDeactivateAsync(new DeactivationReason(DeactivationReasonCode.ShuttingDown, "stopping"), CancellationToken.None);

        // The waiting events left the backlog at once, never tried; the running ones still hold their places.
        Assert.Equal(Running, setup.Backlog.Count);
        setup.Engine.Open();
        await leaving.WaitAsync(Deadline);

        Assert.Equal(Running, setup.Engine.Attempts);
        Assert.Equal(0, setup.Backlog.Count);
        var unrouted = await setup.Store.GetUnroutedEventsAsync(DateTimeOffset.MaxValue, 100);
        Assert.Equal(Events - Running, unrouted.Count);
    });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public Task AStoppingSiloWithAnotherActiveOrARouterLeavingForAnotherReasonRoutesEverythingItHolds(bool shuttingDown) => AsActivationAsync(async () =>
    {
        var membership = shuttingDown
            ? Membership((Local, SiloStatus.ShuttingDown), (Other, SiloStatus.Active))
            : Membership((Local, SiloStatus.Active));
        await using var setup = await Setup.StartAsync(membership);

        var reason = shuttingDown
            ? new DeactivationReason(DeactivationReasonCode.ShuttingDown, "stopping")
            : new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle");
        var leaving = setup.Router.OnDeactivateAsync(reason, CancellationToken.None);
        Assert.Equal(Events, setup.Backlog.Count);
        setup.Engine.Open();
        await leaving.WaitAsync(Deadline);

        Assert.Equal(Events, setup.Engine.Attempts);
        Assert.Equal(0, setup.Backlog.Count);
    });

    /// <summary>
    /// Runs a test one piece at a time, as an activation's scheduler runs a grain's turns: the router's background routings resume
    /// on the same scheduler, never beside each other or beside the test's own calls. On the thread pool they would race on the
    /// router's queue and counters, which hold no lock because Orleans never runs two turns of a grain at once (such a race once
    /// lost the last routing's decrement, and the router waited for a drain that never came).
    /// </summary>
    private static Task AsActivationAsync(Func<Task> test) =>
        Task.Factory.StartNew(test, CancellationToken.None, TaskCreationOptions.DenyChildAttach, new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler).Unwrap();

    private static FixedMembership Membership(params (SiloAddress Address, SiloStatus Status)[] silos) =>
        new(new ClusterMembershipSnapshot(
            silos.ToImmutableDictionary(s => s.Address, s => new ClusterMember(s.Address, s.Status, s.Address.ToString())),
            new MembershipVersion(1)));

    private sealed record Setup(InMemoryTaskServiceStore Store, RoutedEventMarker Marker, RoutingBacklog Backlog, GatedEngine Engine, EventRouterGrain Router)
        : IAsyncDisposable
    {
        /// <summary>A router holding <see cref="Events"/> recorded events: <see cref="Running"/> at the closed gate, the rest waiting.</summary>
        public static async Task<Setup> StartAsync(FixedMembership membership)
        {
            var options = Options.Create(new EventRoutingOptions { MaxConcurrentRoutings = Running });
            var store = new InMemoryTaskServiceStore(TimeProvider.System);
            await store.AddEventMappingAsync(new EventWorkflowMapping
            {
                Id = "mapping-1", EventKey = "orders", WorkflowKey = "order-flow", CreatedOn = DateTimeOffset.UtcNow, ModifiedOn = DateTimeOffset.UtcNow,
            });
            var marker = new RoutedEventMarker(store, NullLogger<RoutedEventMarker>.Instance);
            await marker.StartAsync(CancellationToken.None);
            var backlog = new RoutingBacklog(options);
            var engine = new GatedEngine();
            var router = new EventRouterGrain(store, engine, backlog, marker, new EventsBeingRecorded(), options, NullLogger<EventRouterGrain>.Instance, membership, new LocalSilo());
            for (var n = 0; n < Events; n++)
            {
                var record = new EventRecord { Id = $"event-{n}", Key = "orders", Payload = JsonElementFactory.Parse("{}") };
                await store.RecordEventAsync(record);
                Assert.False((await router.AcceptAsync(record, force: false)).Busy);
            }

            await engine.WaitForAttemptsAsync(Running, Deadline);
            return new Setup(store, marker, backlog, engine, router);
        }

        public async ValueTask DisposeAsync()
        {
            Engine.Open();
            await Marker.StopAsync(CancellationToken.None);
            Marker.Dispose();
        }
    }

    /// <summary>Starts wait at a gate the test opens; counts the starts asked for.</summary>
    private sealed class GatedEngine : IWorkflowEngine
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public void Open() => _gate.TrySetResult();

        public async Task WaitForAttemptsAsync(int count, TimeSpan deadline)
        {
            var until = DateTime.UtcNow + deadline;
            while (Attempts < count)
            {
                Assert.True(DateTime.UtcNow < until, $"{Attempts} of {count} starts were asked for within {deadline}");
                await Task.Delay(10);
            }
        }

        public async Task<Outcome<WorkflowStart>> StartAsync(string workflowKey, JsonElement variables, string startId, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _attempts);
            await _gate.Task;
            return new WorkflowStart(startId, []);
        }

        public Task<Outcome<IReadOnlyList<NewUserTask>>> CompleteUserTaskAsync(string instanceId, string userTaskExternalId, JsonElement? variables, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private sealed class FixedMembership(ClusterMembershipSnapshot snapshot) : IClusterMembershipService
    {
        public ClusterMembershipSnapshot CurrentSnapshot => snapshot;

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException();

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public Task<bool> TryKill(SiloAddress siloAddress) => throw new NotSupportedException();
    }

    private sealed class LocalSilo : ILocalSiloDetails
    {
        public string Name => "local";

        public string ClusterId => "tests";

        public string DnsHostName => "localhost";

        public SiloAddress SiloAddress => Local;

        public SiloAddress GatewayAddress => Local;
    }
}
