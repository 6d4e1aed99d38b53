using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace TaskService.Api.Tests;

/// <summary>
/// A receiver that is down does not flood the log: a subscription logs the first failed attempt of a series as a warning and the
/// first delivery it gives up on as an error, the others at Debug, and sums the series up once a delivery gets through again.
/// </summary>
public sealed class WebhookFailureLogTests(LogRecordingFactory factory) : IClassFixture<LogRecordingFactory>
{
    [Fact]
    public async Task AReceiverThatIsDownIsLoggedOncePerSeriesAndItsRecoverySumsTheSeriesUp()
    {
        var app = await ClientApp.CreateAsync(factory);
        var failing = new StrongBox<bool>(true);
        await using var receiver = await WebhookReceiver.StartAsync(answer: (_, _) => new WebhookAnswer(failing.Value ? 503 : 204));
        var subscription = (await app.SubscribeAsync(factory, receiver.Url("/down"), "task-created")).GetProperty("id").GetString()!;
        using var hooks = app.CreateWebhooksClient(factory);

        const int events = 3;
        foreach (var n in Enumerable.Range(0, events))
        {
            await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("down"), name = $"down {n}" });
        }

        await Eventually.ReturnsAsync(
            () => hooks.GetJsonAsync($"/webhooks/{subscription}/deliveries?{JsonApi.Filter(new { where = new { status = "failed" } })}"),
            rows => rows.GetArrayLength() == events,
            because: "each delivery is given up after the configured attempts");
        var failedAttempts = factory.Log.Count(e => e.Message.Contains(subscription, StringComparison.Ordinal) && e.Message.Contains("failed to deliver", StringComparison.Ordinal));
        var gaveUp = factory.Log.Count(e => e.Message.Contains(subscription, StringComparison.Ordinal) && e.Message.Contains("gave up on", StringComparison.Ordinal));
        Assert.Equal(1, failedAttempts);
        Assert.Equal(1, gaveUp);
        Assert.Contains(factory.Log, e => e.Level == LogLevel.Warning && e.Message.Contains(subscription, StringComparison.Ordinal) && e.Message.Contains("failed to deliver", StringComparison.Ordinal));
        Assert.Contains(factory.Log, e => e.Level == LogLevel.Error && e.Message.Contains(subscription, StringComparison.Ordinal) && e.Message.Contains("gave up on", StringComparison.Ordinal));

        // The receiver is back: the next delivery gets through, and one line says what the series cost.
        failing.Value = false;
        await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("back"), name = "back" });
        var recovered = await Eventually.ReturnsAsync(
            () => factory.Log.FirstOrDefault(e => e.Message.Contains(subscription, StringComparison.Ordinal) && e.Message.Contains("delivers again", StringComparison.Ordinal)),
            e => e is not null,
            because: "a delivery that gets through sums the failing series up");
        Assert.Equal(LogLevel.Information, recovered!.Level);
        Assert.Contains($"{events} delivery(ies) were given up on", recovered.Message, StringComparison.Ordinal);
    }
}
