using Microsoft.Extensions.Options;
using Orleans.Configuration;
using TaskService.Common;
using TaskService.Gateway.Http;

namespace TaskService.Gateway.Hosting;

/// <summary>
/// Connects the gateway's Orleans client to its cluster in the background, so that HTTP opens at once whether or not a silo
/// answers yet: a gateway started before its silos (as an orchestrator may start them) is live from the start, not ready, and
/// answers API calls 503 until the client is connected (see <see cref="ClusterConnectionGate"/>). In place of the client's
/// own hosted service, which holds the host's start until it connects and gives up after a few attempts.
/// </summary>
/// <remarks>
/// As the client's retry filter it retries every failure that waiting can cure (no silo registered or reachable, PostgreSQL
/// not reachable yet) with <see cref="RetryDelay"/>, without end. What to check is logged as one warning at the first failure
/// and one every <see cref="FailureRun.WarningInterval"/> after it, each attempt at Debug only. Any other failure (PostgreSQL refusing the
/// credentials, the clustering tables missing) ends the process through <see cref="LateStartFailure"/>.
/// </remarks>
public sealed partial class ClusterConnection : IHostedService, IClientConnectionRetryFilter
{
    /// <summary>What the gateway's settings that point it at a cluster are, for messages that ask to check them.</summary>
    public const string WhatToCheck =
        "Start its silos, or check this gateway's clustering settings (ConnectionStrings:TaskService and Orleans:ClusterId; without a database, Orleans:Endpoints:GatewayPort).";

    /// <summary>What to do when the database answers but has no clustering tables yet (no silo has run the migrations).</summary>
    public const string WhatToCheckWithoutClusteringTables =
        "The database has no clustering tables yet: run the migrations (the silo's migrate command) or start a silo with TaskService:Database:MigrateOnStart=true.";

    /// <summary>The delay before the next attempt: 1 s after the first failure, doubling to at most 10 s.</summary>
    public static readonly Backoff RetryDelay = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), Jitter: 0.2);

    private readonly IHostedService _client;
    private readonly IOptions<ClusterOptions> _cluster;
    private readonly ClusterConnectionState _state;
    private readonly LateStartFailure _failure;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterConnection> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _connecting = Task.CompletedTask;
    private readonly FailureRun _failures;
    private volatile string? _lastFailure;

    public ClusterConnection(
        IClusterClient client, IOptions<ClusterOptions> cluster, ClusterConnectionState state, LateStartFailure failure, TimeProvider time,
        ILogger<ClusterConnection> logger)
    {
        _client = (IHostedService)client;
        _cluster = cluster;
        _state = state;
        _failure = failure;
        _time = time;
        _logger = logger;
        _failures = new FailureRun(time);
    }

    /// <summary>Whether the client has connected: grain calls can be made.</summary>
    public bool IsConnected => _state.IsConnected;

    /// <summary>The cluster this gateway is a client of.</summary>
    public string ClusterId => _cluster.Value.ClusterId;

    /// <summary>Why the last attempt to connect failed; null before the first failure.</summary>
    public string? LastFailure => _lastFailure;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Off the host's start: the client's start does not return until a silo answers.
        _connecting = Task.Run(() => ConnectAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stops a retry's wait or a connection attempt at once, so a gateway that never connected stops without delay.
        await _stopping.CancelAsync();
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            await _client.StopAsync(cancellationToken);
        }
        catch (Exception exception) when (!IsConnected)
        {
            // A client whose start was cut short has nothing to close but what its start had opened.
            LogStopAfterCancelledStart(exception);
        }
    }

    async Task<bool> IClientConnectionRetryFilter.ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || WhatToCheckWhileWaiting(exception) is not { } whatToCheck)
        {
            return false;
        }

        var run = _failures.Fail();
        var reason = ExceptionMessages.Of(exception);
        _lastFailure = reason;
        if (run.IsFirst)
        {
            LogNotReachable(ClusterId, reason, RetryDelay.Cap.TotalSeconds, whatToCheck);
        }
        else if (run.Warn)
        {
            LogStillNotReachable(ClusterId, run.Failures, run.ElapsedSeconds, reason, whatToCheck);
        }
        else
        {
            LogAttemptFailed(ClusterId, run.Failures, reason);
        }

        await Task.Delay(RetryDelay.Delay(run.Failures, Random.Shared.NextDouble()), _time, cancellationToken);
        return true;
    }

    /// <summary>
    /// What to check about a failure that waiting can cure, for the warning; null for one it cannot (PostgreSQL refusing the
    /// credentials, the database missing), which ends the process. Waiting cures: no silo registered or reachable yet, PostgreSQL
    /// (where silos register) not reachable yet, and its clustering tables missing, which a silo's migrations create.
    /// </summary>
    public static string? WhatToCheckWhileWaiting(Exception exception) =>
        IsClusteringTableMissing(exception) ? WhatToCheckWithoutClusteringTables
        : TaskServiceExceptionHandler.IsClusterUnavailable(exception) || TaskServiceExceptionHandler.IsDatabaseUnavailable(exception) ? WhatToCheck
        : null;

    /// <summary>PostgreSQL answered that a table (Orleans' membership tables) does not exist: the migrations have not run yet.</summary>
    private static bool IsClusteringTableMissing(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UndefinedTable })
            {
                return true;
            }
        }

        return false;
    }

    private async Task ConnectAsync(CancellationToken stopping)
    {
        try
        {
            await _client.StartAsync(stopping);
            _state.IsConnected = true;
            if (_failures.Succeed() is { } run)
            {
                LogConnected(ClusterId, run.Failures, run.ElapsedSeconds);
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Stopped while connecting.
        }
        catch (Exception exception)
        {
            // The retry filter declined: the process ends with the failure's one line, as a failed start does.
            _failure.Report(exception);
        }
    }
}
