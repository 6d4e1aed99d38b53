namespace TaskService.Workflows.Camunda;

/// <summary>One topic of a fetchAndLock (<c>FetchExternalTaskTopicDto</c>).</summary>
public sealed record CamundaFetchTopic
{
    public required string TopicName { get; init; }

    /// <summary>How long fetched tasks stay locked, in milliseconds.</summary>
    public required long LockDuration { get; init; }

    /// <summary>The variables to fetch; all when null.</summary>
    public IReadOnlyList<string>? Variables { get; init; }

    /// <summary>False: <c>Object</c> variables arrive in their serialized form, whatever Java classes the engine holds.</summary>
    public bool? DeserializeValues { get; init; }
}
