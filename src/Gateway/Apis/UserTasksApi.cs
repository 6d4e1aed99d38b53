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
        userTasks.MapPatch("/{userTaskId}/complete", CompleteAsync).RequireAuthorization(Permissions.CompleteUserTask).Accepts<VariablesRequest>("application/json")
            .WithSummary("Completes a pending user task with optional variables.")
            .WithDescription("Only the assignee may complete an assigned user task (else 403), unless the token holds the override permission " +
                "16014; an unassigned one anyone with 16005 may complete. The variables must satisfy the user task's form (camunda:formData of " +
                "its BPMN element): a violation is a 400 whose 'errors' name each field as 'variables/{field id}'. They pass into the workflow.");
        userTasks.MapPost("/{userTaskId}/claim", ClaimAsync).RequireAuthorization(Permissions.ClaimUserTask)
            .WithSummary("Claims a pending, unassigned user task: the caller (the token's sub) becomes its assignee.")
            .WithDescription("Claiming one the caller already holds answers it unchanged; one another user holds is a 409. Answers the user task.");
        userTasks.MapPost("/{userTaskId}/unclaim", UnclaimAsync).RequireAuthorization(Permissions.ClaimUserTask)
            .WithSummary("Gives a claimed user task back: its assignee is cleared.")
            .WithDescription("Only its assignee may, or a holder of the override permission 16014 (else 403). Answers the user task.");
        userTasks.MapPut("/{userTaskId}/assignee", AssignAsync).RequireAuthorization(Permissions.AssignUserTask)
            .WithSummary("Sets the assignee of a pending user task to {userId}, whoever holds it; null or no userId clears it.");
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

    /// <summary>
    /// Completes a pending user task of this task. A user task of another task is 404; one already completed is 409; one assigned
    /// to someone else is 403 without the override permission; variables that violate the user task's form are 400.
    /// </summary>
    public static async Task<NoContent> CompleteAsync(string taskId, string userTaskId, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var variables = await OptionalBody.ReadVariablesAsync(request);
        var task = grains.GetGrain<ITaskGrain>(taskId);
        await task.CompleteUserTaskAsync(userTaskId, variables, user.UserId(), user.HasClaim(Permissions.ClaimType, Permissions.CompleteAnyUserTask));
        return TypedResults.NoContent();
    }

    public static async Task<Ok<UserTaskRecord>> ClaimAsync(string taskId, string userTaskId, ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITaskGrain>(taskId).ClaimUserTaskAsync(userTaskId, RequireUser(user)));

    public static async Task<Ok<UserTaskRecord>> UnclaimAsync(string taskId, string userTaskId, ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITaskGrain>(taskId).UnclaimUserTaskAsync(
            userTaskId, user.UserId(), user.HasClaim(Permissions.ClaimType, Permissions.CompleteAnyUserTask)));

    public static async Task<Ok<UserTaskRecord>> AssignAsync(string taskId, string userTaskId, AssigneeRequest? body, ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITaskGrain>(taskId).AssignUserTaskAsync(userTaskId, body?.UserId, user.UserId()));

    /// <summary>The caller's user id (the token's sub); claiming needs one.</summary>
    private static string RequireUser(ClaimsPrincipal user) =>
        user.UserId() ?? throw TaskServiceException.Invalid("sub", "Claiming needs a user: the bearer token has no 'sub' claim.");

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
