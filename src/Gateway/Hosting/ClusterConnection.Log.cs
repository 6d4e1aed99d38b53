namespace TaskService.Gateway.Hosting;

public sealed partial class ClusterConnection
{
    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Cluster '{ClusterId}' cannot be reached yet ({Reason}); trying again every {RetrySeconds} s at most, and until then /health/ready and the API answer 503. {WhatToCheck}")]
    private partial void LogNotReachable(string clusterId, string reason, double retrySeconds, string whatToCheck);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Cluster '{ClusterId}' still cannot be reached after {Attempts} attempts over {Elapsed} ({Reason}). {WhatToCheck}")]
    private partial void LogStillNotReachable(string clusterId, int attempts, TimeSpan elapsed, string reason, string whatToCheck);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cluster '{ClusterId}': connection attempt {Attempt} failed ({Reason})")]
    private partial void LogAttemptFailed(string clusterId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to cluster '{ClusterId}' after {Failures} failed attempts over {Elapsed}")]
    private partial void LogConnected(string clusterId, int failures, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stopping the Orleans client whose connection was cut short failed")]
    private partial void LogStopAfterCancelledStart(Exception exception);
}
