using System.Text.Json;
using TaskService.Workflows;

namespace TaskService.Gateway.Apis;

/// <summary>
/// The answer of <c>POST /workflows/{id}/execute</c>. The original answered the engine's process instance (Camunda's
/// <c>{id, definitionId, ended, suspended, ...}</c>); its fields come first, so a client that reads <c>id</c> gets the
/// instance's id. The rest is what an operator needs of the new instance.
/// </summary>
public sealed record WorkflowExecution
{
    /// <summary>The instance's id (<c>GET /workflow-instances/{id}</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The engine's id of the version's process definition (the version's <c>externalWorkflowId</c>).</summary>
    public required string DefinitionId { get; init; }

    /// <summary>True when the instance ran to its end before the answer.</summary>
    public bool Ended { get; init; }

    /// <summary>Always false: instances are not suspended here.</summary>
    public bool Suspended { get; init; }

    public required WorkflowInstanceSummary Instance { get; init; }

    /// <summary>The elements tokens wait at (user tasks, external tasks, joins, stuck gateways).</summary>
    public IReadOnlyList<ActiveElement> ActiveElements { get; init; } = [];

    /// <summary>The process variables as one JSON object.</summary>
    public JsonElement Variables { get; init; }

    public IReadOnlyList<InstanceUserTask> UserTasks { get; init; } = [];

    public IReadOnlyList<InstanceExternalTask> ExternalTasks { get; init; } = [];

    public IReadOnlyList<Incident> Incidents { get; init; } = [];

    public static WorkflowExecution From(WorkflowInstanceDetails details, string definitionId)
    {
        ArgumentNullException.ThrowIfNull(details);
        return new WorkflowExecution
        {
            Id = details.Instance.Id,
            DefinitionId = definitionId,
            Ended = details.Instance.Status != WorkflowInstanceStatus.Active,
            Instance = details.Instance,
            ActiveElements = details.ActiveElements,
            Variables = details.Variables,
            UserTasks = details.UserTasks,
            ExternalTasks = details.ExternalTasks,
            Incidents = details.Incidents,
        };
    }
}
