using TaskService.Webhooks;

namespace TaskService.Testing.Api;

/// <summary>
/// One webhook delivery test's world: a client app, a Node receiver that checks signatures with the app's secret,
/// and the subscriptions made through the API. Disposing stops the receiver and deletes the subscriptions, so later
/// tests' events are not queued for a receiver that is gone.
/// </summary>
public sealed class DeliveryScope : IAsyncDisposable
{
    private readonly TaskServiceApiFactory _factory;
    private readonly List<string> _subscriptions = [];

    private DeliveryScope(TaskServiceApiFactory factory, ClientApp app, WebhookReceiver receiver)
    {
        _factory = factory;
        App = app;
        Receiver = receiver;
        Webhooks = app.CreateWebhooksClient(factory);
    }

    public ClientApp App { get; }

    public WebhookReceiver Receiver { get; }

    /// <summary>A client for <c>/webhooks</c> that sends the app's key and secret.</summary>
    public HttpClient Webhooks { get; }

    public static async Task<DeliveryScope> StartAsync(TaskServiceApiFactory factory)
    {
        var app = await ClientApp.CreateAsync(factory);
        return new DeliveryScope(factory, app, await WebhookReceiver.StartNodeAsync(app.ApiSecret));
    }

    /// <summary>A receiver path no other test uses.</summary>
    public static string NewPath(string name) => $"/{name}-{Guid.NewGuid():N}";

    /// <summary>Subscribes the receiver's <paramref name="path"/> to <paramref name="key"/> and returns the subscription id.</summary>
    public async Task<string> SubscribeAsync(string path, string key = "task-created")
    {
        var subscription = await App.SubscribeAsync(_factory, Receiver.Url(path), key);
        var id = subscription.GetProperty("id").GetString()!;
        _subscriptions.Add(id);
        return id;
    }

    /// <summary>
    /// Subscribes a fresh receiver path to each of a task's lifecycle events (<c>task-created</c>, <c>user-task-completed</c>,
    /// <c>task-completed</c>) and returns the paths in that order.
    /// </summary>
    public async Task<(string Created, string UserTaskCompleted, string Completed)> SubscribeToTaskLifecycleAsync()
    {
        var created = NewPath("created");
        var userTaskCompleted = NewPath("user-task-completed");
        var completed = NewPath("completed");
        await SubscribeAsync(created, "task-created");
        await SubscribeAsync(userTaskCompleted, "user-task-completed");
        await SubscribeAsync(completed, "task-completed");
        return (created, userTaskCompleted, completed);
    }

    /// <summary>What the subscription's grain reports about its queue, read past the HTTP API.</summary>
    public Task<WebhookDeliveryStats> StatsAsync(string subscriptionId) =>
        _factory.Grains().GetGrain<IWebhookSubscriptionGrain>(subscriptionId).GetDeliveryStatsAsync();

    public async ValueTask DisposeAsync()
    {
        await Receiver.DisposeAsync();
        foreach (var id in _subscriptions)
        {
            // Best effort: a failure here must not hide the test's own outcome.
            using var _ = await Webhooks.DeleteAsync($"/webhooks/{id}");
        }

        Webhooks.Dispose();
    }
}
