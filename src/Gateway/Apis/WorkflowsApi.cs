using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using TaskService.Errors;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;
using TaskService.Queries;
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

        // A version that is not a whole number (the route above does not match it) is a 400 naming it, not a route that is not there.
        workflows.MapDelete("/{id}/version/{version}", NotAVersion).RequireAuthorization(Permissions.Workflow.Delete).ExcludeFromDescription();
        workflows.MapPost("/{id}/execute", ExecuteAsync).RequireAuthorization(Permissions.Workflow.Execute);
        return app;
    }

    /// <summary>Deploys version 1. A BPMN element the engine cannot run is a 400 naming its id.</summary>
    public static async Task<Results<Created<WorkflowRecord>, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> CreateAsync(
        WorkflowRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if ((Validation.Body(body) ?? Validation.Required(body.Name, "name") ?? Validation.Required(body.BpmnFile, "bpmnFile")) is { } invalid)
        {
            return invalid.ToResults<Created<WorkflowRecord>>();
        }

        var workflow = await grains.GetGrain<IWorkflowGrain>(Common.DeterministicId.NewId()).CreateAsync(new NewWorkflow
        {
            Name = body.Name!,
            BpmnFile = body.BpmnFile!,
            InputSchema = body.InputSchema ?? WorkflowInputSchemas.Default,
            Description = body.Description,
        }, user.UserId());
        return workflow.ToResults(created => TypedResults.Created($"/workflows/{created.Id}", created));
    }

    public static Task<Results<Ok<IReadOnlyList<JsonElement>>, BadRequestProblem>> ListAsync(HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.ListAsync(request, grains, EntityKind.Workflow, EntitySchemas.Workflow);

    /// <summary>
    /// The workflow, as the original answers it; <c>filter</c> may pick <c>fields</c> and <c>include</c> its
    /// <c>workflowVersions</c> (each with its BPMN diagram). A deleted workflow is 404.
    /// </summary>
    public static Task<Results<Ok<JsonElement>, BadRequestProblem, NotFoundProblem>> GetAsync(string id, HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.GetAsync(id, request, grains, EntityKind.Workflow, EntitySchemas.Workflow, "workflow");

    /// <summary>Changes the workflow; a changed bpmnFile deploys the next version. 204 as in the original.</summary>
    public static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> UpdateAsync(
        string id, WorkflowRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (Validation.Body(body) is { } missing)
        {
            return missing.ToResults<NoContent>();
        }

        // A null name is refused rather than read as "keep it"; a null bpmnFile deploys nothing, as in the original.
        if (body.Nulls.Contains("name"))
        {
            return Problem.Invalid("name", "'name' cannot be null: every workflow has one. Leave the field out to keep its value.").ToResults<NoContent>();
        }

        var updated = await grains.GetGrain<IWorkflowGrain>(id).UpdateAsync(new WorkflowUpdate
        {
            Name = body.Name,
            BpmnFile = body.BpmnFile,
            InputSchema = body.InputSchema,
            Description = body.Description,
            ClearsDescription = body.Nulls.Contains("description"),
            ResetsInputSchema = body.Nulls.Contains("inputSchema"),
        }, user.UserId());
        return updated.ToResults(_ => TypedResults.NoContent());
    }

    /// <summary>Soft-deletes the workflow; its process id can be deployed again as a new workflow.</summary>
    public static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> DeleteAsync(
        string id, ClaimsPrincipal user, IGrainFactory grains) =>
        (await grains.GetGrain<IWorkflowGrain>(id).DeleteAsync(user.UserId())).ToResults(TypedResults.NoContent);

    public static BadRequestProblem NotAVersion(string version) => ProblemAnswers.Invalid("version",
        $"The path parameter 'version' must be a whole number (a version of the workflow), not '{(version.Length <= 100 ? version : version[..100] + "...")}'.");

    public static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> DeleteVersionAsync(
        string id, int version, IGrainFactory grains) =>
        (await grains.GetGrain<IWorkflowGrain>(id).DeleteVersionAsync(version)).ToResults(TypedResults.NoContent);

    /// <summary>Starts an instance; the input must satisfy the version's inputSchema, else 400 lists the violations.</summary>
    public static async Task<Results<Ok<WorkflowExecution>, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> ExecuteAsync(
        string id, ExecuteWorkflowRequest? body, IGrainFactory grains)
    {
        if (Validation.Body(body) is { } missing)
        {
            return missing.ToResults<Ok<WorkflowExecution>>();
        }

        if (body.Input is not { } input)
        {
            return ProblemAnswers.Invalid("input", "'input' is required: a JSON object whose properties become the instance's variables.");
        }

        var workflow = grains.GetGrain<IWorkflowGrain>(id);
        var executed = await workflow.ExecuteAsync(input, body.WorkflowVersion);
        if (executed.Value is not { } details)
        {
            return executed.Problem!.ToResults<Ok<WorkflowExecution>>();
        }

        var version = (await workflow.GetVersionsAsync()).FirstOrDefault(v => v.Version == details.Instance.Version);
        return TypedResults.Ok(WorkflowExecution.From(details, version?.ExternalWorkflowId ?? details.Instance.ProcessId));
    }
}
