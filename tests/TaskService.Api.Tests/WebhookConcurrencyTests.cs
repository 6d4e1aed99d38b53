using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TaskService.Tasks;
using TaskService.Webhooks;

namespace TaskService.Api.Tests;

/// <summary>
/// One subscription sends the events of different tasks together, up to <see cref="WebhookOptions.MaxInFlight"/> at once, while
/// the events about one task go one at a time in the order they were made.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WebhookConcurrencyTests(TaskServiceApiFactory factory)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private WebhookOptions Options => factory.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;

    [Fact]
    public async Task EventsOfDifferentTasksAreSentTogetherWithinTheWindowAndEachArrivesOnce()
    {
        var app = await ClientApp.CreateAsync(factory);
        // Answered before the service's webhook timeout at the latest, so that no request is sent twice.
        var held = new HeldAnswers(maxHold: TimeSpan.FromSeconds(1.5));
        await using var receiver = await WebhookReceiver.StartAsync(app.ApiSecret, hold: held.HoldAsync);
        var path = DeliveryScope.NewPath("window");
        var subscription = (await app.SubscribeAsync(factory, receiver.Url(path), "task-created")).GetProperty("id").GetString()!;
        using var hooks = app.CreateWebhooksClient(factory);
        try
        {
            var keys = Enumerable.Range(0, 6).Select(i => TaskSeeding.NewKey($"window-{i}")).ToArray();
            foreach (var key in keys)
            {
                await factory.CreateTasksAsync(new { key, name = "sent together" });
            }

            // Nothing is answered yet, and still more than one request is open: the window lets them go together.
            await Eventually.ReturnsAsync(() => Task.FromResult(held.MostOpen), most => most >= 2, Deadline,
                "two or more deliveries of one subscription are under way at once");
            held.Release();

            var requests = await Eventually.ReturnsAsync(
                async () => (await receiver.ReceivedAsync()).Where(r => r.Path == path).ToArray(),
                r => keys.All(key => r.Any(request => request.Concerns(key))), Deadline,
                "every task-created arrives");
            Assert.All(keys, key => Assert.True(Assert.Single(requests, r => r.Concerns(key)).Valid));
            Assert.InRange(held.MostOpen, 2, Options.MaxInFlight);
        }
        finally
        {
            held.Release();
            using var _ = await hooks.DeleteAsync($"/webhooks/{subscription}");
        }
    }

    [Fact]
    public async Task TheEventsAboutOneTaskGoOneAtATimeInTheOrderTheyWereMade()
    {
        var app = await ClientApp.CreateAsync(factory);
        var held = new HeldAnswers();
        await using var receiver = await WebhookReceiver.StartAsync(app.ApiSecret, hold: held.HoldAsync);
        var path = DeliveryScope.NewPath("per-task");
        var subscription = (await app.SubscribeAsync(factory, receiver.Url(path), "user-task-completed")).GetProperty("id").GetString()!;
        using var hooks = app.CreateWebhooksClient(factory);
        try
        {
            var ids = await factory.CreateTasksAsync(
                new { key = TaskSeeding.NewKey("ordered"), name = "two steps" },
                new { key = TaskSeeding.NewKey("other"), name = "one step" });
            var (task, other) = (ids[0], ids[1]);
            var steps = await factory.AddUserTasksAsync(task, "first", "second");
            var otherStep = Assert.Single(await factory.AddUserTasksAsync(other, "only"));

            // The first step's delivery is held open by the receiver; the second step of the same task is made meanwhile.
            await CompleteAsync(task, steps[0]);
            await Eventually.ReturnsAsync(() => Task.FromResult(held.OpenFor(task)), open => open == 1, Deadline,
                "the first step's delivery is under way");
            await CompleteAsync(task, steps[1]);

            // An event about another task, made after the second step, is not held up behind it.
            await CompleteAsync(other, otherStep);
            await Eventually.ReturnsAsync(() => Task.FromResult(held.OpenFor(other)), open => open == 1, Deadline,
                "the other task's delivery goes while the first task's waits");

            held.Release();
            // An event the service sent again (it gave its first request up) counts once, where it first arrived.
            var names = await Eventually.ReturnsAsync(
                async () => (await receiver.ReceivedAsync()).Where(r => r.Path == path && TaskIdOf(r) == task)
                    .Select(r => r.Payload.GetProperty("userTask").GetProperty("name").GetString()!).Distinct().ToArray(),
                n => n.Length >= 2, Deadline, "both steps of the task are delivered");
            Assert.Equal(["first", "second"], names);
            Assert.Equal(1, held.MostOpenFor(task));
        }
        finally
        {
            held.Release();
            using var _ = await hooks.DeleteAsync($"/webhooks/{subscription}");
        }
    }

    private Task CompleteAsync(string taskId, string userTaskId) =>
        factory.Grains().GetGrain<ITaskGrain>(taskId).CompleteUserTaskAsync(userTaskId, null);

    private static string TaskIdOf(WebhookReceipt receipt) =>
        receipt.Payload.TryGetProperty("task", out var task)
            ? task.GetProperty("id").GetString()!
            : receipt.Payload.GetProperty("createdTasks")[0].GetProperty("id").GetString()!;

    /// <summary>
    /// Lets requests be answered once released, or after <paramref name="maxHold"/> when given; until then holds every request
    /// open and counts how many are open, per task too. A request the service gave up (its webhook timeout passed on a slow
    /// machine) is no longer open: the service may send that event again, which is not a second request of its task at once.
    /// </summary>
    private sealed class HeldAnswers(TimeSpan? maxHold = null)
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Dictionary<string, (int Open, int Most)> _byTask = new(StringComparer.Ordinal);

        private int _open;

        public int MostOpen { get; private set; }

        public int OpenFor(string taskId)
        {
            lock (_byTask)
            {
                return _byTask.GetValueOrDefault(taskId).Open;
            }
        }

        public int MostOpenFor(string taskId)
        {
            lock (_byTask)
            {
                return _byTask.GetValueOrDefault(taskId).Most;
            }
        }

        public void Release() => _released.TrySetResult();

        public async Task HoldAsync(WebhookReceipt receipt, CancellationToken abandoned)
        {
            var taskId = TaskIdOf(receipt);
            lock (_byTask)
            {
                _open++;
                MostOpen = Math.Max(MostOpen, _open);
                var (open, most) = _byTask.GetValueOrDefault(taskId);
                _byTask[taskId] = (open + 1, Math.Max(most, open + 1));
            }

            try
            {
                var held = maxHold is { } max ? Task.WhenAny(_released.Task, Task.Delay(max, abandoned)) : _released.Task;
                await held.WaitAsync(abandoned).ContinueWith(static _ => { }, TaskScheduler.Default);
            }
            finally
            {
                lock (_byTask)
                {
                    _open--;
                    var (open, most) = _byTask[taskId];
                    _byTask[taskId] = (open - 1, most);
                }
            }
        }
    }
}
