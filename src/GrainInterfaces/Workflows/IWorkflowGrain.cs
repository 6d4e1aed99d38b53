using System.Text.Json;

namespace TaskService.Workflows;

/// <summary>One per deployed workflow: deploys its versions and starts instances.</summary>
[Alias("TaskService.IWorkflowGrain")]
public interface IWorkflowGrain : IGrainWithStringKey
{
    /// <summary>Deploys version 1. The BPMN file must hold exactly one executable process the engine supports.</summary>
    [Alias("CreateAsync")]
    Task<WorkflowRecord> CreateAsync(NewWorkflow workflow);

    [Alias("GetAsync")]
    Task<WorkflowRecord?> GetAsync();

    [Alias("GetVersionsAsync")]
    Task<IReadOnlyList<WorkflowVersionRecord>> GetVersionsAsync();

    /// <summary>Applies the changes; a changed BPMN file deploys the next version.</summary>
    [Alias("UpdateAsync")]
    Task<WorkflowRecord> UpdateAsync(WorkflowUpdate update);

    [Alias("DeleteAsync")]
    Task DeleteAsync();

    /// <summary>Deletes one version; the latest version cannot be deleted.</summary>
    [Alias("DeleteVersionAsync")]
    Task DeleteVersionAsync(int version);

    /// <summary>Checks the input against the input schema and starts an instance of the given (else latest) version.</summary>
    [Alias("ExecuteAsync")]
    Task<WorkflowInstanceDetails> ExecuteAsync(JsonElement input, int? version);
}
