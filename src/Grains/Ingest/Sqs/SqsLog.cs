using Microsoft.Extensions.Logging;

namespace TaskService.Connectors.Sqs;

/// <summary>Log messages of the SQS connectors.</summary>
internal static partial class SqsLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Receiving events from SQS queue {Queue} ({Receivers} receive loops, batches of up to {BatchSize})")]
    public static partial void ReceiverStarted(ILogger logger, string queue, int receivers, int batchSize);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "An SQS message carries the id {EventId} (key {EventKey}) of an event recorded before with other content (key, payload, source or description); skipped: its producer should give each event an id of its own")]
    public static partial void IdConflict(ILogger logger, string eventId, string eventKey);

    /// <summary>What to check when a queue cannot be reached: the settings README names for the SQS server.</summary>
    public const string WhatToCheck =
        "Check TaskService:Sqs:ServiceUrl (or, without it, TaskService:Sqs:Region, whose AWS endpoint is used), the AWS credentials " +
        "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, or the task or instance role) and that the queue exists.";

    /// <summary>What failed on a queue: looking it up (<c>GetQueueUrl</c>) or receiving from it.</summary>
    public enum Operation
    {
        LookUp,
        Receive,
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "SQS queue {Queue} cannot be reached ({Operation} failed: {Reason}); retrying with a pause growing to {MaxDelay}, and saying so again at most once a minute. {WhatToCheck}")]
    public static partial void Unavailable(ILogger logger, Operation operation, string queue, string reason, TimeSpan maxDelay, string whatToCheck);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "SQS queue {Queue} still cannot be reached after {Attempts} attempts over {Elapsed} ({Operation} failed: {Reason}). {WhatToCheck}")]
    public static partial void StillUnavailable(ILogger logger, Operation operation, string queue, int attempts, TimeSpan elapsed, string reason, string whatToCheck);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SQS queue {Queue}: {Operation} attempt {Attempt} failed; retrying in {Delay}")]
    public static partial void AttemptFailed(ILogger logger, Operation operation, string queue, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "SQS queue {Queue} answers again after {Failures} failed attempts over {Elapsed}")]
    public static partial void Available(ILogger logger, string queue, int failures, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS message {Queue}/{MessageId} could not be recorded; it comes back when its visibility timeout ends")]
    public static partial void RecordFailed(ILogger logger, string queue, string messageId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS message {Queue}/{MessageId} went to dead-letter queue {DeadLetterQueue}: {Error}")]
    public static partial void DeadLettered(ILogger logger, string queue, string messageId, string deadLetterQueue, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS message {Queue}/{MessageId} cannot become an event and is left to the queue's redrive policy: {Error}")]
    public static partial void LeftToRedrive(ILogger logger, string queue, string messageId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS message {Queue}/{MessageId} could not be dead-lettered; it comes back when its visibility timeout ends")]
    public static partial void DeadLetterFailed(ILogger logger, string queue, string messageId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The event ingress is over its backlog bound; receiving from SQS queue {Queue} pauses for {Delay}")]
    public static partial void Backpressure(ILogger logger, string queue, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Visibility of SQS messages of queue {Queue} could not be changed")]
    public static partial void VisibilityFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recorded SQS messages of queue {Queue} could not be deleted; they come back and are recorded once")]
    public static partial void DeleteFailed(ILogger logger, string queue, Exception exception);
}
