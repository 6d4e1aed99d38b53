using System.Text.Json;
using TaskService.Errors;

namespace TaskService.Workflows.Camunda;

/// <summary>Starts a workflow version in Camunda at most once per business key.</summary>
public static class CamundaStarts
{
    /// <summary>
    /// Returns the instance with <paramref name="businessKey"/> if the engine knows one (running, or ended in history), else starts
    /// the version's process definition (by its id when TaskService deployed it, else the latest by key) with that business key.
    /// </summary>
    public static async Task<string> StartOnceAsync(
        CamundaClient camunda, WorkflowRecord workflow, WorkflowVersionRecord version, JsonElement variables, string businessKey,
        CamundaJsonVariableType jsonType, CancellationToken cancellationToken)
    {
        if (variables.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            throw TaskServiceException.Invalid("variables", "The variables of a new instance must be a JSON object.");
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

        var request = new CamundaStartRequest
        {
            BusinessKey = businessKey,
            Variables = CamundaVariables.FromJsonObject(variables, jsonType),
        };
        try
        {
            var instance = workflow.Provider == WorkflowProviders.Camunda
                ? await camunda.StartByIdAsync(version.ExternalWorkflowId, request, cancellationToken)
                : await camunda.StartByKeyAsync(processKey, request, cancellationToken);
            return instance.Id;
        }
        catch (CamundaException exception) when (exception.StatusCode is 400 or 404 or 500)
        {
            // As the description documents them: 400, the variables are refused (or, from some engines, 404: the definition is
            // gone); 500, the instance could not be created, because running it from the start failed (a condition that cannot be
            // evaluated, a gateway with no way out). The engine rolled back, and the same start fails the same way again.
            throw new TaskServiceException(
                exception.StatusCode == 404 ? TaskServiceErrorKind.NotFound : TaskServiceErrorKind.Invalid,
                $"Camunda refused to start version {version.Version} of workflow '{workflow.Id}' (process '{processKey}'): {exception.EngineMessage}",
                "workflowKey");
        }
    }
}
