using System.Text.Json;
using TaskService.Errors;

namespace TaskService.Workflows.Camunda;

/// <summary>Starts a workflow version in Camunda at most once per business key.</summary>
public static class CamundaStarts
{
    /// <summary>
    /// Returns the instance with <paramref name="businessKey"/> if the engine knows one (running, or ended in history), else starts
    /// the version's process definition (by its id when TaskService deployed it, else the latest by key) with that business key.
    /// Variables that are no object, and a start the engine refuses, are the problem answered.
    /// </summary>
    public static async Task<Outcome<string>> StartOnceAsync(
        CamundaClient camunda, WorkflowRecord workflow, WorkflowVersionRecord version, JsonElement variables, string businessKey,
        CamundaJsonVariableType jsonType, CancellationToken cancellationToken)
    {
        if (variables.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            return Problem.Invalid("variables", "The variables of a new instance must be a JSON object.");
        }

        var processKey = workflow.ExternalIdentifier;
        // Both questions at once: a key's events are routed one after another, so each round trip's wait is the key's.
        var runningRead = camunda.GetProcessInstancesAsync(businessKey, processKey, cancellationToken);
        var knownRead = camunda.GetHistoricProcessInstancesAsync(businessKey, processKey, cancellationToken);
        var running = await runningRead;
        var known = await knownRead;
        if (running.Count > 0)
        {
            return running[0].Id;
        }

        if (known.Count > 0)
        {
            return known[0].Id;
        }

        if (CamundaVariables.Unrepresentable(variables) is { } unrepresentable)
        {
            return unrepresentable;
        }

        var request = new CamundaStartRequest
        {
            BusinessKey = businessKey,
            Variables = CamundaVariables.FromJsonObject(variables, jsonType),
        };
        var started = workflow.Provider == WorkflowProviders.Camunda
            ? await camunda.StartByIdAsync(version.ExternalWorkflowId, request, cancellationToken)
            : await camunda.StartByKeyAsync(processKey, request, cancellationToken);
        if (started.IsOk)
        {
            return started.Value!.Id;
        }

        // As the description documents them: 400, the variables are refused (or, from some engines, 404: the definition is
        // gone); 500, the instance could not be created, because running it from the start failed (a condition that cannot be
        // evaluated, a gateway with no way out). The engine rolled back, and the same start fails the same way again.
        return started.Refusal switch
        {
            { IsBadRequest: true } or { IsNotFound: true } or { IsEngineFailure: true } => new Problem(
                started.Refusal.IsNotFound ? TaskServiceErrorKind.NotFound : TaskServiceErrorKind.Invalid,
                $"Camunda refused to start version {version.Version} of workflow '{workflow.Id}' (process '{processKey}'): {started.Refusal.EngineMessage}",
                "workflowKey"),
            _ => throw started.Refusal.ToException(),
        };
    }
}
