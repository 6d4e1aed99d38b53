namespace TaskService.Connectors.Sqs;

/// <summary>SQS did not accept every message of a batch.</summary>
public sealed class SqsSendException(string message) : Exception(message);
