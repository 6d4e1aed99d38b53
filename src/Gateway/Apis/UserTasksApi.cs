using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TaskService.Errors;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;
using TaskService.Queries;
using TaskService.Tasks;

namespace TaskService.Gateway.Apis;

/// <summary><c>/tasks/{taskId}/user-tasks</c>: a task's user tasks. Every route is limited to that task.</summary>
public static class UserTasksApi
{
    private const string TaskIdField = "taskId";

    public static IEndpointRouteBuilder MapUserTasksApi(this IEndpointRouteBuilder app)
    {
        var userTasks = app.MapGroup("/tasks/{taskId}/user-tasks").WithTags("User tasks");

        userTasks.MapGet("/", ListAsync).RequireAuthorization(Permissions.ViewUserTask).AcceptsQuery("filter");
        userTasks.MapGet("/count", CountAsync).RequireAuthorization(Permissions.ViewUserTask).AcceptsQuery("where");
        userTasks.MapGet("/{userTaskId}", GetAsync).RequireAuthorization(Permissions.ViewUserTask).AcceptsQuery("filter");
        userTasks.MapPatch("/{userTaskId}/complete", CompleteAsync).RequireAuthorization(Permissions.CompleteUserTask).Accepts<VariablesRequest>("application/json");
        userTasks.MapDelete("/{userTaskId}", DeleteAsync).RequireAuthorization(Permissions.DeleteUserTask);
        userTasks.MapDelete("/", DeleteWhereAsync).RequireAuthorization(Permissions.DeleteUserTask).AcceptsQuery("where");
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<JsonElement>>, ProblemHttpResult>> ListAsync(string taskId, HttpRequest request, IGrainFactory grains)
    {
        var filter = QueryParameters.Filter(request, EntitySchemas.UserTask);
        if (!await TaskExistsAsync(taskId, grains))
        {
            return ProblemResults.NotFound("task", taskId);
        }

        return TypedResults.Ok(await grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.UserTask, QueryParameters.Scope(filter, TaskIdField, taskId)));
    }

    public static async Task<Results<Ok<CountResult>, ProblemHttpResult>> CountAsync(string taskId, HttpRequest request, IGrainFactory grains)
    {
        var where = QueryParameters.Scope(QueryParameters.Where(request, EntitySchemas.UserTask), TaskIdField, taskId);
        if (!await TaskExistsAsync(taskId, grains))
        {
            return ProblemResults.NotFound("task", taskId);
        }

        return TypedResults.Ok(new CountResult(await grains.GetGrain<IQueryGrain>(0).CountAsync(EntityKind.UserTask, where)));
    }

    public static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> GetAsync(string taskId, string userTaskId, HttpRequest request, IGrainFactory grains)
    {
        var fields = QueryParameters.Fields(request, EntitySchemas.UserTask);
        var row = await grains.GetGrain<IQueryGrain>(0).GetAsync(EntityKind.UserTask, userTaskId, null);
        if (row is not { } found || !found.TryGetProperty(TaskIdField, out var owner) || owner.GetString() != taskId)
        {
            return ProblemResults.NotFound("user task", userTaskId);
        }

        return TypedResults.Ok(fields is null ? found : await grains.GetGrain<IQueryGrain>(0).GetAsync(EntityKind.UserTask, userTaskId, fields) ?? found);
    }

    /// <summary>Completes a pending user task of this task. A user task of another task is 404; one already completed is 409.</summary>
    public static async Task<NoContent> CompleteAsync(string taskId, string userTaskId, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var variables = await OptionalBody.ReadVariablesAsync(request);
        var task = grains.GetGrain<ITaskGrain>(taskId);
        await task.CompleteUserTaskAsync(userTaskId, variables, user.UserId());
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string taskId, string userTaskId, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<ITaskGrain>(taskId).DeleteUserTasksAsync([userTaskId], user.UserId()) > 0
            ? TypedResults.NoContent()
            : ProblemResults.NotFound("user task", userTaskId);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteWhereAsync(string taskId, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var where = QueryParameters.Scope(QueryParameters.Where(request, EntitySchemas.UserTask), TaskIdField, taskId);
        if (!await TaskExistsAsync(taskId, grains))
        {
            return ProblemResults.NotFound("task", taskId);
        }

        var ids = await grains.GetGrain<IQueryGrain>(0).FindIdsAsync(EntityKind.UserTask, where, TasksApi.MaxBulkRows);
        if (ids.Count > 0)
        {
            await grains.GetGrain<ITaskGrain>(taskId).DeleteUserTasksAsync(ids, user.UserId());
        }

        return TypedResults.NoContent();
    }

    private static async Task<bool> TaskExistsAsync(string taskId, IGrainFactory grains) =>
        await grains.GetGrain<IQueryGrain>(0).GetAsync(EntityKind.Task, taskId, ["id"]) is not null;
}
