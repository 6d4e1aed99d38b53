using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
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

    public static async Task<Results<Ok<IReadOnlyList<JsonElement>>, BadRequestProblem, NotFoundProblem>> ListAsync(string taskId, HttpRequest request, IGrainFactory grains)
    {
        var filter = QueryParameters.Filter(request, EntitySchemas.UserTask);
        if (!filter.IsOk)
        {
            return filter.Problem.ToBadRequest();
        }

        if (!await TaskExistsAsync(taskId, grains))
        {
            return ProblemAnswers.NotFound("task", taskId);
        }

        return TypedResults.Ok(await grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.UserTask, QueryParameters.Scope(filter.Value!, TaskIdField, taskId)));
    }

    public static async Task<Results<Ok<CountResult>, BadRequestProblem, NotFoundProblem>> CountAsync(string taskId, HttpRequest request, IGrainFactory grains)
    {
        var where = QueryParameters.Where(request, EntitySchemas.UserTask);
        if (!where.IsOk)
        {
            return where.Problem.ToBadRequest();
        }

        if (!await TaskExistsAsync(taskId, grains))
        {
            return ProblemAnswers.NotFound("task", taskId);
        }

        return TypedResults.Ok(new CountResult(await grains.GetGrain<IQueryGrain>(0).CountAsync(EntityKind.UserTask, QueryParameters.Scope(where.Value, TaskIdField, taskId))));
    }

    public static async Task<Results<Ok<JsonElement>, BadRequestProblem, NotFoundProblem>> GetAsync(string taskId, string userTaskId, HttpRequest request, IGrainFactory grains)
    {
        var fields = QueryParameters.Fields(request, EntitySchemas.UserTask);
        if (!fields.IsOk)
        {
            return fields.Problem.ToBadRequest();
        }

        var row = await grains.GetGrain<IQueryGrain>(0).GetAsync(EntityKind.UserTask, userTaskId, null);
        if (row is not { } found || !found.TryGetProperty(TaskIdField, out var owner) || owner.GetString() != taskId)
        {
            return ProblemAnswers.NotFound("user task", userTaskId);
        }

        return TypedResults.Ok(fields.Value is not { } picked ? found : await grains.GetGrain<IQueryGrain>(0).GetAsync(EntityKind.UserTask, userTaskId, picked) ?? found);
    }

    /// <summary>
    /// Completes a pending user task of this task. A user task of another task is 404; one already completed is 409; one assigned
    /// to someone else is 403 without the override permission; variables that violate the user task's form are 400.
    /// </summary>
    public static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> CompleteAsync(
        string taskId, string userTaskId, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var variables = await OptionalBody.ReadVariablesAsync(request);
        if (!variables.IsOk)
        {
            return variables.Problem.ToResults<NoContent>();
        }

        var task = grains.GetGrain<ITaskGrain>(taskId);
        var completed = await task.CompleteUserTaskAsync(userTaskId, variables.Value, user.UserId(), user.HasClaim(Permissions.ClaimType, Permissions.CompleteAnyUserTask));
        return completed.ToResults(_ => TypedResults.NoContent());
    }

    public static async Task<Results<Ok<UserTaskRecord>, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> ClaimAsync(
        string taskId, string userTaskId, ClaimsPrincipal user, IGrainFactory grains)
    {
        // Claiming needs a user: the caller's id (the token's sub) becomes the assignee.
        if (user.UserId() is not { } userId)
        {
            return ProblemAnswers.Invalid("sub", "Claiming needs a user: the bearer token has no 'sub' claim.");
        }

        return (await grains.GetGrain<ITaskGrain>(taskId).ClaimUserTaskAsync(userTaskId, userId)).ToResults(TypedResults.Ok);
    }

    public static async Task<Results<Ok<UserTaskRecord>, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> UnclaimAsync(
        string taskId, string userTaskId, ClaimsPrincipal user, IGrainFactory grains) =>
        (await grains.GetGrain<ITaskGrain>(taskId).UnclaimUserTaskAsync(
            userTaskId, user.UserId(), user.HasClaim(Permissions.ClaimType, Permissions.CompleteAnyUserTask))).ToResults(TypedResults.Ok);

    public static async Task<Results<Ok<UserTaskRecord>, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> AssignAsync(
        string taskId, string userTaskId, AssigneeRequest? body, ClaimsPrincipal user, IGrainFactory grains) =>
        (await grains.GetGrain<ITaskGrain>(taskId).AssignUserTaskAsync(userTaskId, body?.UserId, user.UserId())).ToResults(TypedResults.Ok);

    public static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> DeleteAsync(
        string taskId, string userTaskId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var deleted = await grains.GetGrain<ITaskGrain>(taskId).DeleteUserTasksAsync([userTaskId], user.UserId());
        return deleted is { IsOk: true, Value: 0 } ? ProblemAnswers.NotFound("user task", userTaskId) : deleted.ToResults(_ => TypedResults.NoContent());
    }

    public static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> DeleteWhereAsync(
        string taskId, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var where = QueryParameters.ChangeWhere(request, EntitySchemas.UserTask, "every user task of the task");
        if (!where.IsOk)
        {
            return where.Problem.ToBadRequest();
        }

        if (!await TaskExistsAsync(taskId, grains))
        {
            return ProblemAnswers.NotFound("task", taskId);
        }

        var ids = await BulkMatches.FindAsync(request, grains, EntityKind.UserTask, QueryParameters.Scope(where.Value, TaskIdField, taskId), "user tasks of the task");
        if (!ids.IsOk)
        {
            return ids.Problem.ToResults<NoContent>();
        }

        if (ids.Value!.Count == 0)
        {
            return TypedResults.NoContent();
        }

        return (await grains.GetGrain<ITaskGrain>(taskId).DeleteUserTasksAsync(ids.Value, user.UserId())).ToResults(_ => TypedResults.NoContent());
    }

    private static async Task<bool> TaskExistsAsync(string taskId, IGrainFactory grains) =>
        await grains.GetGrain<IQueryGrain>(0).GetAsync(EntityKind.Task, taskId, ["id"]) is not null;
}
