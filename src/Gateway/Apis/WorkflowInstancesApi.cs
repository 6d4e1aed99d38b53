using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
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

    public static Task<Results<Ok<IReadOnlyList<JsonElement>>, BadRequestProblem>> ListAsync(HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.ListAsync(request, grains, EntityKind.WorkflowInstance, EntitySchemas.WorkflowInstance);

    public static Task<Results<Ok<CountResult>, BadRequestProblem>> CountAsync(HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.CountAsync(request, grains, EntityKind.WorkflowInstance, EntitySchemas.WorkflowInstance);

    public static async Task<Results<Ok<WorkflowInstanceDetails>, NotFoundProblem>> GetAsync(string id, IGrainFactory grains) =>
        await grains.GetGrain<IWorkflowInstanceGrain>(id).GetAsync() is { } details
            ? TypedResults.Ok(details)
            : ProblemAnswers.NotFound("workflow instance", id);

    /// <summary>Tries the failed step again with renewed retries; fix the cause first.</summary>
    public static async Task<Results<Ok<WorkflowInstanceDetails>, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> RetryIncidentAsync(
        string id, string incidentId, IGrainFactory grains) =>
        (await grains.GetGrain<IWorkflowInstanceGrain>(id).RetryIncidentAsync(incidentId)).ToResults(TypedResults.Ok);

    public static async Task<Results<Ok<WorkflowInstanceDetails>, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> CompleteExternalTaskAsync(
        string id, string externalTaskId, HttpRequest request, IGrainFactory grains)
    {
        var variables = await OptionalBody.ReadVariablesAsync(request);
        if (!variables.IsOk)
        {
            return variables.Problem.ToResults<Ok<WorkflowInstanceDetails>>();
        }

        return (await grains.GetGrain<IWorkflowInstanceGrain>(id).CompleteExternalTaskAsync(externalTaskId, variables.Value)).ToResults(TypedResults.Ok);
    }

    public static async Task<Results<NoContent, NotFoundProblem>> CancelAsync(string id, IGrainFactory grains)
    {
        var instance = grains.GetGrain<IWorkflowInstanceGrain>(id);
        if (await instance.GetAsync() is null)
        {
            return ProblemAnswers.NotFound("workflow instance", id);
        }

        await instance.CancelAsync("Canceled through the API.");
        return TypedResults.NoContent();
    }
}
