namespace TaskService.Workflows.Camunda;

/// <summary>Delivers a message to a waiting instance or a message start event (<c>CorrelationMessageDto</c>).</summary>
public sealed record CamundaMessageCorrelation
{
    public required string MessageName { get; init; }

    public string? BusinessKey { get; init; }

    public string? ProcessInstanceId { get; init; }

    public IReadOnlyDictionary<string, CamundaVariable>? CorrelationKeys { get; init; }

    public IReadOnlyDictionary<string, CamundaVariable>? ProcessVariables { get; init; }

    /// <summary>Correlate to every match instead of exactly one.</summary>
    public bool? All { get; init; }

    /// <summary>Answer with the correlation results.</summary>
    public bool? ResultEnabled { get; init; }
}
