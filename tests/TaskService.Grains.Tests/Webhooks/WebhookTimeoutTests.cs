using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TaskService.Events;
using TaskService.Webhooks;

namespace TaskService.Grains.Tests.Webhooks;

/// <summary>
/// Deliveries go through the delivery client's handlers, which have no timeout of their own: the sender's
/// <see cref="WebhookOptions.Timeout"/> alone cuts a POST off, so a receiver that never answers still costs one timeout.
/// </summary>
public sealed class WebhookTimeoutTests
{
    [Fact]
    public async Task AReceiverThatNeverAnswersIsCutOffAtTheConfiguredTimeout()
    {
        // Whether the POST got as far as the receiver before the timeout is up to the machine; either way it is cut off.
        using var receiver = new SilentReceiver();
        _ = receiver.AcceptAsync();
        var services = new ServiceCollection();
        services.AddHttpClient(WebhookSender.HttpClientName);
        await using var provider = services.BuildServiceProvider();
        var sender = new WebhookSender(
            provider.GetRequiredService<IHttpMessageHandlerFactory>(), Options.Create(new WebhookOptions { Timeout = TimeSpan.FromMilliseconds(300) }), TimeProvider.System);

        var started = Stopwatch.StartNew();
        var result = await sender.SendAsync($"http://127.0.0.1:{receiver.Port}/hook", Body(), "secret", CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(WebhookDeliveryOutcome.Retry, result.Outcome);
        Assert.Null(result.StatusCode);
        Assert.Equal("No answer within 0.3 s.", result.Error);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task TheCallersCancellationStillStopsAHangingPost()
    {
        using var receiver = new SilentReceiver();
        var accepted = receiver.AcceptAsync();
        var services = new ServiceCollection();
        services.AddHttpClient(WebhookSender.HttpClientName);
        await using var provider = services.BuildServiceProvider();
        var sender = new WebhookSender(
            provider.GetRequiredService<IHttpMessageHandlerFactory>(), Options.Create(new WebhookOptions { Timeout = TimeSpan.FromMinutes(5) }), TimeProvider.System);
        using var stopping = new CancellationTokenSource();

        var sending = sender.SendAsync($"http://127.0.0.1:{receiver.Port}/hook", Body(), "secret", stopping.Token);
        await accepted.WaitAsync(TimeSpan.FromSeconds(10));
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static byte[] Body() => WebhookSender.CreateBody(new OutgoingEvent
    {
        Id = "e1",
        Key = "task-created",
        Payload = TaskService.Serialization.JsonElementFactory.Parse("{}"),
        Timestamp = 1,
    });

    /// <summary>A loopback listener that takes a connection and the request, and never answers.</summary>
    private sealed class SilentReceiver : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private TcpClient? _client;

        public SilentReceiver() => _listener.Start();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public async Task AcceptAsync()
        {
            _client = await _listener.AcceptTcpClientAsync();
            _ = await _client.GetStream().ReadAsync(new byte[8192]);
        }

        public void Dispose()
        {
            _client?.Dispose();
            _listener.Stop();
        }
    }
}
