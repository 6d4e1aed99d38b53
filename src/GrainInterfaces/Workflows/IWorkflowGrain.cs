using System.Text.Json;
using TaskService.Errors;

namespace TaskService.Workflows;

/// <summary>
/// One per deployed workflow: deploys its versions and starts instances. <c>userId</c> is the signed-in user (the token's
/// <c>sub</c>) who asks; it fills <c>createdBy</c>/<c>modifiedBy</c>/<c>deletedBy</c>. A missing workflow, a conflict (active
/// instances, an id taken) or invalid input (BPMN, schema) comes back as the <see cref="Problem"/> of an <see cref="Outcome"/>.
/// </summary>
[Alias("TaskService.IWorkflowGrain")]
public interface IWorkflowGrain : IGrainWithStringKey
{
    /// <summary>Deploys version 1. The BPMN file must hold exactly one executable process the engine supports.</summary>
    [Alias("CreateAsync")]
    Task<Outcome<WorkflowRecord>> CreateAsync(NewWorkflow workflow, string? userId = null);

    [Alias("GetAsync")]
    Task<WorkflowRecord?> GetAsync();

    [Alias("GetVersionsAsync")]
    Task<IReadOnlyList<WorkflowVersionRecord>> GetVersionsAsync();

    /// <summary>Applies the changes; a changed BPMN file deploys the next version.</summary>
    [Alias("UpdateAsync")]
    Task<Outcome<WorkflowRecord>> UpdateAsync(WorkflowUpdate update, string? userId = null);

    /// <summary>
    /// Soft-deletes the workflow: its row stays, marked deleted, hidden from every read, and its process id is free for a new
    /// workflow. A workflow with active instances is refused.
    /// </summary>
    [Alias("DeleteAsync")]
    Task<Outcome> DeleteAsync(string? userId = null);

    /// <summary>Deletes one version; the latest version cannot be deleted.</summary>
    [Alias("DeleteVersionAsync")]
    Task<Outcome> DeleteVersionAsync(int version);

    /// <summary>Checks the input against the input schema and starts an instance of the given (else latest) version.</summary>
    [Alias("ExecuteAsync")]
    Task<Outcome<WorkflowInstanceDetails>> ExecuteAsync(JsonElement input, int? version);
}
