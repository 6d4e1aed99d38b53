using Microsoft.Extensions.Logging;

namespace TaskService.Workflows.Camunda;

/// <summary>The log messages of <see cref="CamundaWorker"/>.</summary>
public sealed partial class CamundaWorker
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Camunda worker {WorkerId} polls topics {Topics}, up to {MaxTasks} tasks at once")]
    private partial void LogStarted(string workerId, string topics, int maxTasks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camunda worker: no command is registered, so no topic is polled")]
    private partial void LogNoTopics();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camunda worker: fetchAndLock failed ({Failures} in a row); polling again in {Backoff}")]
    private partial void LogPollFailed(int failures, TimeSpan backoff, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Camunda external task {ExternalTaskId} ({Topic}) completed (outcome of an earlier run: {Replayed})")]
    private partial void LogCompleted(string externalTaskId, string topic, bool replayed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camunda external task {ExternalTaskId} ({Topic}) failed; reported with {Retries} retries left, next attempt after {RetryTimeout}: {Error}")]
    private partial void LogFailureReported(string externalTaskId, string topic, int retries, TimeSpan retryTimeout, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Camunda external task {ExternalTaskId} ({Topic}) failed with no retries left; Camunda raises an incident: {Error}")]
    private partial void LogIncident(string externalTaskId, string topic, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Camunda external task {ExternalTaskId} could not be handled; it is fetched again when its lock runs out")]
    private partial void LogHandlingFailed(string externalTaskId, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Camunda external task {ExternalTaskId}: lock extended")]
    private partial void LogLockExtended(string externalTaskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camunda external task {ExternalTaskId}: the lock cannot be extended ({Reason}); it is no longer ours")]
    private partial void LogLockLost(string externalTaskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camunda external task {ExternalTaskId}: extending the lock failed ({Reason}); trying again")]
    private partial void LogLockExtensionFailed(string externalTaskId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camunda external task {ExternalTaskId}: the engine refused the {What} report: {Reason}")]
    private partial void LogReportRefused(string externalTaskId, string what, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camunda external task {ExternalTaskId}: {What} report attempt {Attempt} failed ({Reason}); retrying")]
    private partial void LogReportRetried(string externalTaskId, string what, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Camunda external task {ExternalTaskId}: {What} report failed {Attempt} times ({Reason}); the task is fetched again when its lock runs out")]
    private partial void LogReportGivenUp(string externalTaskId, string what, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camunda process instance {InstanceId}: its row could not be updated after an external task ({Reason})")]
    private partial void LogNotifyFailed(string instanceId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {Topic} of Camunda external task {ExternalTaskId} could not be run")]
    private partial void LogCommandCallFailed(string externalTaskId, string topic, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camunda external task {ExternalTaskId} ({Topic}): the command succeeded but returned variables Camunda cannot hold ({Reason}); reported as a failure")]
    private partial void LogOutputRefused(string externalTaskId, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camunda external task {ExternalTaskId} ({Topic}): the command succeeded but the engine could not continue the process ({Reason}); reported as a failure")]
    private partial void LogEngineCouldNotContinue(string externalTaskId, string topic, string? reason);
}
