using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;
using TaskService.Queries;
using TaskService.Workflows;

namespace TaskService.Gateway.Apis;

/// <summary>
/// <c>/workflow-instances</c>: operators inspect instances (state, active elements, variables, external tasks, incidents),
/// retry incidents, complete external tasks of topics no command handles, and cancel instances.
/// </summary>
public static class WorkflowInstancesApi
{
    public static IEndpointRouteBuilder MapWorkflowInstancesApi(this IEndpointRouteBuilder app)
    {
        var instances = app.MapGroup("/workflow-instances").WithTags("Workflow instances");
        instances.MapGet("/", ListAsync).RequireAuthorization(Permissions.Workflow.View).AcceptsQuery("filter");
        instances.MapGet("/count", CountAsync).RequireAuthorization(Permissions.Workflow.View).AcceptsQuery("where");
        instances.MapGet("/{id}", GetAsync).RequireAuthorization(Permissions.Workflow.View);
        instances.MapPost("/{id}/incidents/{incidentId}/retry", RetryIncidentAsync).RequireAuthorization(Permissions.Workflow.Execute);
        instances.MapPost("/{id}/external-tasks/{externalTaskId}/complete", CompleteExternalTaskAsync).RequireAuthorization(Permissions.Workflow.Execute).Accepts<VariablesRequest>("application/json");
        instances.MapDelete("/{id}", CancelAsync).RequireAuthorization(Permissions.Workflow.Execute);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<JsonElement>>> ListAsync(HttpRequest request, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.WorkflowInstance, QueryParameters.Filter(request, EntitySchemas.WorkflowInstance)));

    public static async Task<Ok<CountResult>> CountAsync(HttpRequest request, IGrainFactory grains) =>
        TypedResults.Ok(new CountResult(await grains.GetGrain<IQueryGrain>(0).CountAsync(EntityKind.WorkflowInstance, QueryParameters.Where(request, EntitySchemas.WorkflowInstance))));

    public static async Task<Results<Ok<WorkflowInstanceDetails>, ProblemHttpResult>> GetAsync(string id, IGrainFactory grains) =>
        await grains.GetGrain<IWorkflowInstanceGrain>(id).GetAsync() is { } details
            ? TypedResults.Ok(details)
            : ProblemResults.NotFound("workflow instance", id);

    /// <summary>Tries the failed step again with renewed retries; fix the cause first.</summary>
    public static async Task<Ok<WorkflowInstanceDetails>> RetryIncidentAsync(string id, string incidentId, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IWorkflowInstanceGrain>(id).RetryIncidentAsync(incidentId));

    public static async Task<Ok<WorkflowInstanceDetails>> CompleteExternalTaskAsync(string id, string externalTaskId, HttpRequest request, IGrainFactory grains)
    {
        var variables = await OptionalBody.ReadVariablesAsync(request);
        return TypedResults.Ok(await grains.GetGrain<IWorkflowInstanceGrain>(id).CompleteExternalTaskAsync(externalTaskId, variables));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> CancelAsync(string id, IGrainFactory grains)
    {
        var instance = grains.GetGrain<IWorkflowInstanceGrain>(id);
        if (await instance.GetAsync() is null)
        {
            return ProblemResults.NotFound("workflow instance", id);
        }

        await instance.CancelAsync("Canceled through the API.");
        return TypedResults.NoContent();
    }
}
