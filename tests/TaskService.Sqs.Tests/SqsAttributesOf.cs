using TaskService.Connectors.Sqs;

namespace TaskService.Sqs.Tests;

/// <summary>The attribute names the tests read, spelled as the service writes them.</summary>
internal static class SqsAttributesOf
{
    public const string EventId = SqsAttributes.EventId;
    public const string EventType = SqsAttributes.EventType;
}
