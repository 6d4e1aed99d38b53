using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Storage;

namespace TaskService.Outgoing;

/// <summary>
/// The outbox gauges, on the <c>TaskService.Outbox</c> meter: <c>taskservice.outbox.backlog</c> (entries not yet handed to every
/// connector, in any silo) and <c>taskservice.outbox.oldest_age</c> (how long the oldest of them has waited). A scrape reads
/// the last backlog read, which is refreshed every <see cref="OutboxOptions.BacklogReadInterval"/> with one small query, and
/// only while an exporter listens; the age is computed at the scrape, so it grows between reads as it would in the table.
/// The meter comes from the host's <see cref="IMeterFactory"/>, so it goes away with the host.
/// </summary>
public sealed partial class OutboxInstruments : BackgroundService
{
    public const string MeterName = "TaskService.Outbox";

    private readonly ITaskServiceStore _store;
    private readonly IOptions<OutboxOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxInstruments> _logger;
    private readonly ObservableGauge<long> _backlog;
    private readonly ObservableGauge<double> _oldestAge;
    private OutboxBacklog? _last;

    public OutboxInstruments(ITaskServiceStore store, IOptions<OutboxOptions> options, TimeProvider time, IMeterFactory meters, ILogger<OutboxInstruments> logger)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        var meter = meters.Create(MeterName);
        _backlog = meter.CreateObservableGauge("taskservice.outbox.backlog", ObserveBacklog, "{event}",
            "Outgoing events in the outbox not yet handed to every connector.");
        _oldestAge = meter.CreateObservableGauge("taskservice.outbox.oldest_age", ObserveOldestAge, "s",
            "How long the oldest outgoing event not yet handed over has waited in the outbox.");
    }

    /// <summary>Reads the backlog now (the background loop does so every interval).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _last, await _store.GetOutboxBacklogAsync(cancellationToken));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Value.BacklogReadInterval, _time);
        do
        {
            if (!_backlog.Enabled && !_oldestAge.Enabled)
            {
                continue;
            }

            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The gauges keep their last reading; the next interval tries again.
                LogReadFailed(exception);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private IEnumerable<Measurement<long>> ObserveBacklog() =>
        Volatile.Read(ref _last) is { } last ? [new Measurement<long>(last.Count)] : [];

    private IEnumerable<Measurement<double>> ObserveOldestAge()
    {
        if (Volatile.Read(ref _last) is not { } last)
        {
            return [];
        }

        var age = last.OldestCreatedOn is { } oldest ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0;
        return [new Measurement<double>(age)];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the outbox backlog for the metrics failed; tried again at the next interval")]
    private partial void LogReadFailed(Exception exception);
}
