namespace TaskService.Connectors.Sqs;

/// <summary>
/// Amazon SQS connection and connectors, bound from <c>TaskService:Sqs</c>. Incoming (receivers that feed queued messages to the
/// event router) and outgoing (the connector that sends lifecycle events to a queue) are switched on independently. Credentials
/// come from the standard AWS chain (environment, profile, instance or task role).
/// </summary>
public sealed class SqsOptions
{
    public const string SectionName = "TaskService:Sqs";

    /// <summary>The AWS region (<c>eu-west-1</c>, ...); without it the SDK's region chain decides (<c>AWS_REGION</c>, profile).</summary>
    public string? Region { get; set; }

    /// <summary>
    /// The endpoint to talk to instead of the region's SQS endpoint: a local SQS-compatible server (<c>http://127.0.0.1:4566</c>)
    /// or a VPC endpoint. The region is still used to sign requests.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    public SqsIncomingOptions Incoming { get; set; } = new();

    public SqsOutgoingOptions Outgoing { get; set; } = new();
}
