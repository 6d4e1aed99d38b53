using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskService.Errors;
using TaskService.Events;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Tasks;
using TaskService.Workflows;

namespace TaskService.Grains.Tests.Engine;

/// <summary>A stream delivery carries a read's events as a batch; a full backlog holds the whole batch about one wait, not one per event.</summary>
public sealed class StreamBackpressureTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task ABatchDeliveredIntoAFullBacklogWaitsAboutOneBackpressureWaitInAllAndTakesEveryEvent()
    {
        // Enough events that one wait per event (19 waits: 9.5 s) stays far from one wait in all (0.5 s) on a loaded machine.
        const int count = 20;
        var options = Options.Create(new EventRoutingOptions { MaxBacklog = 1, StreamBackpressureWait = Wait });
        var backlog = new RoutingBacklog(options);
        var store = StalledStore.Create();
        var router = new EventRouterGrain(
            store,
            new StalledEngine(),
            backlog,
            new RoutedEventMarker(store, NullLogger<RoutedEventMarker>.Instance),
            new EventsBeingRecorded(),
            options,
            NullLogger<EventRouterGrain>.Instance);

        // The first event fills the backlog, and its routing never finishes (the store does not answer): no room comes.
        var clock = Stopwatch.StartNew();
        for (var n = 0; n < count; n++)
        {
            var record = new EventRecord { Id = $"kafka:t:0:{n}", Key = "orders", Payload = JsonElementFactory.Parse("{}") };
            await router.OnNextAsync(new StreamedEvent { Record = record, Recorded = true });
        }

        // The second event waited (the pause), the rest of the batch did not wait again: one wait, not count - 1 of them.
        Assert.True(clock.Elapsed >= Wait, $"the delivery took {clock.Elapsed}, no wait");
        Assert.True(clock.Elapsed < Wait * (count - 1) / 2, $"the delivery took {clock.Elapsed}, a wait per event would be {Wait * (count - 1)}");
        Assert.Equal(count, backlog.Count);
    }

    private sealed class StalledEngine : IWorkflowEngine
    {
        public Task<Outcome<WorkflowStart>> StartAsync(string workflowKey, JsonElement variables, string startId, CancellationToken cancellationToken = default) =>
            new TaskCompletionSource<Outcome<WorkflowStart>>().Task;

        public Task<Outcome<IReadOnlyList<NewUserTask>>> CompleteUserTaskAsync(string instanceId, string userTaskExternalId, JsonElement? variables, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    /// <summary>A store whose every call stays unanswered.</summary>
    public class StalledStore : DispatchProxy
    {
        public static ITaskServiceStore Create() => Create<ITaskServiceStore, StalledStore>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var returned = targetMethod!.ReturnType;
            if (!returned.IsGenericType)
            {
                return new TaskCompletionSource().Task;
            }

            var source = Activator.CreateInstance(typeof(TaskCompletionSource<>).MakeGenericType(returned.GetGenericArguments()))!;
            return source.GetType().GetProperty(nameof(TaskCompletionSource<int>.Task))!.GetValue(source);
        }
    }
}
