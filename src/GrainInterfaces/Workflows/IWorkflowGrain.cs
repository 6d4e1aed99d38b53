using System.Text.Json;

namespace TaskService.Workflows;

/// <summary>
/// One per deployed workflow: deploys its versions and starts instances. <c>userId</c> is the signed-in user (the token's
/// <c>sub</c>) who asks; it fills <c>createdBy</c>/<c>modifiedBy</c>/<c>deletedBy</c>.
/// </summary>
[Alias("TaskService.IWorkflowGrain")]
public interface IWorkflowGrain : IGrainWithStringKey
{
    /// <summary>Deploys version 1. The BPMN file must hold exactly one executable process the engine supports.</summary>
    [Alias("CreateAsync")]
    Task<WorkflowRecord> CreateAsync(NewWorkflow workflow, string? userId = null);

    [Alias("GetAsync")]
    Task<WorkflowRecord?> GetAsync();

    [Alias("GetVersionsAsync")]
    Task<IReadOnlyList<WorkflowVersionRecord>> GetVersionsAsync();

    /// <summary>Applies the changes; a changed BPMN file deploys the next version.</summary>
    [Alias("UpdateAsync")]
    Task<WorkflowRecord> UpdateAsync(WorkflowUpdate update, string? userId = null);

    /// <summary>
    /// Soft-deletes the workflow: its row stays, marked deleted, hidden from every read, and its process id is free for a new
    /// workflow. A workflow with active instances is refused.
    /// </summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync(string? userId = null);

    /// <summary>Deletes one version; the latest version cannot be deleted.</summary>
    [Alias("DeleteVersionAsync")]
    Task DeleteVersionAsync(int version);

    /// <summary>Checks the input against the input schema and starts an instance of the given (else latest) version.</summary>
    [Alias("ExecuteAsync")]
    Task<WorkflowInstanceDetails> ExecuteAsync(JsonElement input, int? version);
}
