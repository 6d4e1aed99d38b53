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
        workflows.MapGet("/{id}", GetAsync).RequireAuthorization(Permissions.Workflow.View);
        workflows.MapPatch("/{id}", UpdateAsync).RequireAuthorization(Permissions.Workflow.Update).AcceptsLargeBody();
        workflows.MapDelete("/{id}", DeleteAsync).RequireAuthorization(Permissions.Workflow.Delete);
        workflows.MapDelete("/{id}/version/{version:int}", DeleteVersionAsync).RequireAuthorization(Permissions.Workflow.Delete);
        workflows.MapPost("/{id}/execute", ExecuteAsync).RequireAuthorization(Permissions.Workflow.Execute);
        return app;
    }

    /// <summary>Deploys version 1. A BPMN element the engine cannot run is a 400 naming its id.</summary>
    public static async Task<Created<WorkflowRecord>> CreateAsync(WorkflowRequest? body, IGrainFactory grains)
    {
        body = Validation.Body(body);
        var workflow = await grains.GetGrain<IWorkflowGrain>(Common.DeterministicId.NewId()).CreateAsync(new NewWorkflow
        {
            Name = Validation.Required(body.Name, "name"),
            BpmnFile = Validation.Required(body.BpmnFile, "bpmnFile", int.MaxValue),
            InputSchema = body.InputSchema ?? JsonElementFactory.Parse("""{"type":"object"}"""),
            Description = body.Description,
        });
        return TypedResults.Created($"/workflows/{workflow.Id}", workflow);
    }

    public static async Task<Ok<IReadOnlyList<JsonElement>>> ListAsync(HttpRequest request, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.Workflow, QueryParameters.Filter(request, EntitySchemas.Workflow)));

    /// <summary>The workflow with its versions (each with its BPMN diagram).</summary>
    public static async Task<Results<Ok<WorkflowWithVersions>, ProblemHttpResult>> GetAsync(string id, IGrainFactory grains)
    {
        var grain = grains.GetGrain<IWorkflowGrain>(id);
        if (await grain.GetAsync() is not { } workflow)
        {
            return ProblemResults.NotFound("workflow", id);
        }

        return TypedResults.Ok(new WorkflowWithVersions(workflow, await grain.GetVersionsAsync()));
    }

    /// <summary>Changes the workflow; a changed bpmnFile deploys the next version.</summary>
    public static async Task<Ok<WorkflowRecord>> UpdateAsync(string id, WorkflowRequest? body, IGrainFactory grains)
    {
        body = Validation.Body(body);
        var workflow = await grains.GetGrain<IWorkflowGrain>(id).UpdateAsync(new WorkflowUpdate
        {
            Name = body.Name,
            BpmnFile = body.BpmnFile,
            InputSchema = body.InputSchema,
            Description = body.Description,
        });
        return TypedResults.Ok(workflow);
    }

    public static async Task<NoContent> DeleteAsync(string id, IGrainFactory grains)
    {
        await grains.GetGrain<IWorkflowGrain>(id).DeleteAsync();
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> DeleteVersionAsync(string id, int version, IGrainFactory grains)
    {
        await grains.GetGrain<IWorkflowGrain>(id).DeleteVersionAsync(version);
        return TypedResults.NoContent();
    }

    /// <summary>Starts an instance; the input must satisfy the version's inputSchema, else 400 lists the violations.</summary>
    public static async Task<Ok<WorkflowInstanceDetails>> ExecuteAsync(string id, ExecuteWorkflowRequest? body, IGrainFactory grains)
    {
        body = Validation.Body(body);
        if (body.Input is not { } input)
        {
            throw TaskServiceException.Invalid("input", "'input' is required: a JSON object whose properties become the instance's variables.");
        }

        return TypedResults.Ok(await grains.GetGrain<IWorkflowGrain>(id).ExecuteAsync(Validation.WellFormed(input, "input"), body.WorkflowVersion));
    }
}
