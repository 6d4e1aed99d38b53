using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TaskService.Errors;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Workflows;

namespace TaskService.Gateway.Apis;

/// <summary>
/// <c>/workflows</c>: deploy BPMN workflows and their versions, and start instances. Permissions 1 view, 2 create, 3 update,
/// 4 delete, 5 execute (or their names ViewWorkflow ... ExecuteWorkflow).
/// </summary>
public static class WorkflowsApi
{
    public static IEndpointRouteBuilder MapWorkflowsApi(this IEndpointRouteBuilder app)
    {
        var workflows = app.MapGroup("/workflows").WithTags("Workflows");
        workflows.MapPost("/", CreateAsync).RequireAuthorization(Permissions.Workflow.Create).AcceptsLargeBody();
        workflows.MapGet("/", ListAsync).RequireAuthorization(Permissions.Workflow.View).AcceptsQuery("filter");
        workflows.MapGet("/{id}", GetAsync).RequireAuthorization(Permissions.Workflow.View).AcceptsQuery("filter");
        workflows.MapPatch("/{id}", UpdateAsync).RequireAuthorization(Permissions.Workflow.Update).AcceptsLargeBody();
        workflows.MapDelete("/{id}", DeleteAsync).RequireAuthorization(Permissions.Workflow.Delete);
        workflows.MapDelete("/{id}/version/{version:int}", DeleteVersionAsync).RequireAuthorization(Permissions.Workflow.Delete);
        workflows.MapPost("/{id}/execute", ExecuteAsync).RequireAuthorization(Permissions.Workflow.Execute);
        return app;
    }

    /// <summary>Deploys version 1. A BPMN element the engine cannot run is a 400 naming its id.</summary>
    public static async Task<Created<WorkflowRecord>> CreateAsync(WorkflowRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        body = Validation.Body(body);
        var workflow = await grains.GetGrain<IWorkflowGrain>(Common.DeterministicId.NewId()).CreateAsync(new NewWorkflow
        {
            Name = Validation.Required(body.Name, "name"),
            BpmnFile = Validation.Required(body.BpmnFile, "bpmnFile", int.MaxValue),
            InputSchema = body.InputSchema ?? JsonElementFactory.Parse("""{"type":"object"}"""),
            Description = body.Description,
        }, user.UserId());
        return TypedResults.Created($"/workflows/{workflow.Id}", workflow);
    }

    public static async Task<Ok<IReadOnlyList<JsonElement>>> ListAsync(HttpRequest request, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.Workflow, QueryParameters.Filter(request, EntitySchemas.Workflow)));

    /// <summary>
    /// The workflow, as the original answers it; <c>filter</c> may pick <c>fields</c> and <c>include</c> its
    /// <c>workflowVersions</c> (each with its BPMN diagram). A deleted workflow is 404.
    /// </summary>
    public static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> GetAsync(string id, HttpRequest request, IGrainFactory grains)
    {
        var row = await grains.GetGrain<IQueryGrain>(0).GetFilteredAsync(EntityKind.Workflow, id, QueryParameters.SingleRowFilter(request, EntitySchemas.Workflow));
        return row is { } found ? TypedResults.Ok(found) : ProblemResults.NotFound("workflow", id);
    }

    /// <summary>Changes the workflow; a changed bpmnFile deploys the next version. 204 as in the original.</summary>
    public static async Task<NoContent> UpdateAsync(string id, WorkflowRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        body = Validation.Body(body);
        await grains.GetGrain<IWorkflowGrain>(id).UpdateAsync(new WorkflowUpdate
        {
            Name = body.Name,
            BpmnFile = body.BpmnFile,
            InputSchema = body.InputSchema,
            Description = body.Description,
        }, user.UserId());
        return TypedResults.NoContent();
    }

    /// <summary>Soft-deletes the workflow; its process id can be deployed again as a new workflow.</summary>
    public static async Task<NoContent> DeleteAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        await grains.GetGrain<IWorkflowGrain>(id).DeleteAsync(user.UserId());
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> DeleteVersionAsync(string id, int version, IGrainFactory grains)
    {
        await grains.GetGrain<IWorkflowGrain>(id).DeleteVersionAsync(version);
        return TypedResults.NoContent();
    }

    /// <summary>Starts an instance; the input must satisfy the version's inputSchema, else 400 lists the violations.</summary>
    public static async Task<Ok<WorkflowExecution>> ExecuteAsync(string id, ExecuteWorkflowRequest? body, IGrainFactory grains)
    {
        body = Validation.Body(body);
        if (body.Input is not { } input)
        {
            throw TaskServiceException.Invalid("input", "'input' is required: a JSON object whose properties become the instance's variables.");
        }

        var workflow = grains.GetGrain<IWorkflowGrain>(id);
        var details = await workflow.ExecuteAsync(Validation.WellFormed(input, "input"), body.WorkflowVersion);
        var version = (await workflow.GetVersionsAsync()).FirstOrDefault(v => v.Version == details.Instance.Version);
        return TypedResults.Ok(WorkflowExecution.From(details, version?.ExternalWorkflowId ?? details.Instance.ProcessId));
    }
}
