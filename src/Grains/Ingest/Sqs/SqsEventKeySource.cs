namespace TaskService.Connectors.Sqs;

/// <summary>Where the key of an incoming event comes from.</summary>
public enum SqsEventKeySource
{
    /// <summary>The queue's name (as Kafka's default takes the topic's).</summary>
    Queue,

    /// <summary>A string field of the JSON body, named by a dotted path.</summary>
    Field,

    /// <summary>A string message attribute.</summary>
    Attribute,
}
