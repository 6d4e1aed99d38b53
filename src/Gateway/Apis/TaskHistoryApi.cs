using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;
using TaskService.Queries;

namespace TaskService.Gateway.Apis;

/// <summary><c>/tasks/{taskId}/history</c>: every recorded change of a task and its user tasks, oldest first.</summary>
public static class TaskHistoryApi
{
    public static IEndpointRouteBuilder MapTaskHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/tasks/{taskId}/history", ListAsync).WithTags("Tasks").RequireAuthorization(Permissions.ViewTaskHistory).AcceptsQuery("filter")
            .WithSummary("The task's history: each change of the task and its user tasks, who made it and when, oldest first.")
            .WithDescription("Each entry has an action (created, updated, status-changed, user-task-created, claimed, unclaimed, assigned, " +
                "unassigned, completed, deleted), the user task it is about (userTaskId, absent for the task itself), the changed fields " +
                "with their values before and after (changes: [{field, from, to}]), who (by: the token's sub, 'workflow' or 'system') and when (on). " +
                "A filter narrows and pages it.");
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<JsonElement>>, BadRequestProblem, NotFoundProblem>> ListAsync(string taskId, HttpRequest request, IGrainFactory grains)
    {
        var filter = QueryParameters.Filter(request, EntitySchemas.TaskHistory);
        if (!filter.IsOk)
        {
            return filter.Problem.ToBadRequest();
        }

        var queries = grains.GetGrain<IQueryGrain>(0);
        if (await queries.GetAsync(EntityKind.Task, taskId, ["id"]) is null)
        {
            return ProblemAnswers.NotFound("task", taskId);
        }

        return TypedResults.Ok(await queries.ListAsync(EntityKind.TaskHistory, QueryParameters.Scope(filter.Value!, "taskId", taskId)));
    }
}
