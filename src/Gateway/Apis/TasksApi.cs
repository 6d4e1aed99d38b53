using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TaskService.Errors;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;
using TaskService.Mappings;
using TaskService.Queries;
using TaskService.Tasks;

namespace TaskService.Gateway.Apis;

/// <summary><c>/tasks</c>: read, update and delete tasks, and map task keys to workflows.</summary>
public static class TasksApi
{
    /// <summary>The most rows one bulk PATCH or DELETE touches; a larger match is refused rather than half done.</summary>
    public const int MaxBulkRows = 10_000;

    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/tasks").WithTags("Tasks");

        tasks.MapGet("/", ListAsync).RequireAuthorization(Permissions.ViewTask).AcceptsQuery("filter");
        tasks.MapGet("/count", CountAsync).RequireAuthorization(Permissions.ViewTask).AcceptsQuery("where");
        tasks.MapPost("/mapping", AddMappingAsync).RequireAuthorization(Permissions.MapTask);
        tasks.MapGet("/mapping", ListMappingsAsync).RequireAuthorization(Permissions.MapTask).AcceptsQuery("filter");
        tasks.MapDelete("/mapping/{id}", DeleteMappingAsync).RequireAuthorization(Permissions.MapTask);
        tasks.MapGet("/{id}", GetAsync).RequireAuthorization(Permissions.ViewTask).AcceptsQuery("filter");
        tasks.MapPatch("/{id}", UpdateAsync).RequireAuthorization(Permissions.UpdateTask);
        tasks.MapPatch("/", UpdateWhereAsync).RequireAuthorization(Permissions.UpdateTask).AcceptsQuery("where");
        tasks.MapDelete("/{id}", DeleteAsync).RequireAuthorization(Permissions.DeleteTask).AcceptsQuery("cascade");
        tasks.MapDelete("/", DeleteWhereAsync).RequireAuthorization(Permissions.DeleteTask).AcceptsQuery("where", "cascade");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<JsonElement>>> ListAsync(HttpRequest request, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.Task, QueryParameters.Filter(request, EntitySchemas.Task)));

    public static async Task<Ok<CountResult>> CountAsync(HttpRequest request, IGrainFactory grains) =>
        TypedResults.Ok(new CountResult(await grains.GetGrain<IQueryGrain>(0).CountAsync(EntityKind.Task, QueryParameters.Where(request, EntitySchemas.Task))));

    public static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> GetAsync(string id, HttpRequest request, IGrainFactory grains)
    {
        var row = await grains.GetGrain<IQueryGrain>(0).GetFilteredAsync(EntityKind.Task, id, QueryParameters.SingleRowFilter(request, EntitySchemas.Task));
        return row is { } found ? TypedResults.Ok(found) : ProblemResults.NotFound("task", id);
    }

    public static async Task<NoContent> UpdateAsync(string id, TaskPatchRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var update = ToUpdate(Validation.Body(body));
        await grains.GetGrain<ITaskGrain>(id).UpdateAsync(update, user.UserId());
        return TypedResults.NoContent();
    }

    /// <summary>Updates every task the <c>where</c> parameter matches; <c>where</c> is required (<c>where={}</c> matches all).</summary>
    public static async Task<Ok<CountResult>> UpdateWhereAsync(TaskPatchRequest? body, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var update = ToUpdate(Validation.Body(body));
        var ids = await MatchingIdsAsync(request, grains);
        foreach (var id in ids)
        {
            await grains.GetGrain<ITaskGrain>(id).UpdateAsync(update, user.UserId());
        }

        return TypedResults.Ok(new CountResult(ids.Count));
    }

    /// <summary>Deletes a task; <c>cascade</c> (default true) also deletes its user tasks and ends its workflow instance.</summary>
    public static async Task<NoContent> DeleteAsync(string id, bool? cascade, ClaimsPrincipal user, IGrainFactory grains)
    {
        await grains.GetGrain<ITaskGrain>(id).DeleteAsync(cascade ?? true, user.UserId());
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> DeleteWhereAsync(bool? cascade, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        foreach (var id in await MatchingIdsAsync(request, grains))
        {
            await grains.GetGrain<ITaskGrain>(id).DeleteAsync(cascade ?? true, user.UserId());
        }

        return TypedResults.NoContent();
    }

    public static async Task<Created<TaskWorkflowMapping>> AddMappingAsync(TaskMappingRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        body = Validation.Body(body);
        var mapping = await grains.GetGrain<IMappingsGrain>(0).AddTaskMappingAsync(
            Validation.Required(body.TaskKey, "taskKey"), Validation.Required(body.WorkflowKey, "workflowKey"), user.UserId());
        return TypedResults.Created($"/tasks/mapping/{mapping.Id}", mapping);
    }

    public static async Task<Ok<IReadOnlyList<JsonElement>>> ListMappingsAsync(HttpRequest request, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.TaskMapping, QueryParameters.Filter(request, EntitySchemas.TaskMapping)));

    /// <summary>Soft-deletes the mapping; its keys can be mapped again.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteMappingAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<IMappingsGrain>(0).DeleteTaskMappingAsync(id, user.UserId()) ? TypedResults.NoContent() : ProblemResults.NotFound("task mapping", id);

    private static async Task<IReadOnlyList<string>> MatchingIdsAsync(HttpRequest request, IGrainFactory grains)
    {
        if (!QueryParameters.Has(request, QueryParameters.WhereName))
        {
            throw TaskServiceException.Invalid("where", "A bulk change needs the 'where' query parameter; use where={} to match every task.");
        }

        var ids = await grains.GetGrain<IQueryGrain>(0).FindIdsAsync(EntityKind.Task, QueryParameters.Where(request, EntitySchemas.Task), MaxBulkRows + 1);
        if (ids.Count > MaxBulkRows)
        {
            throw TaskServiceException.Invalid("where", $"The 'where' parameter matches more than {MaxBulkRows} tasks; narrow it and repeat.");
        }

        return ids;
    }

    private static TaskUpdate ToUpdate(TaskPatchRequest body) => new()
    {
        Name = body.Name,
        Description = body.Description,
        Status = body.Status is null ? null : ParseStatus(body.Status),
        Priority = body.Priority,
        Severity = body.Severity,
        Type = body.Type,
        AssigneeId = body.AssigneeId,
        StartDate = body.StartDate,
        DueDate = body.DueDate,
        Metadata = body.Metadata is { ValueKind: JsonValueKind.Object or JsonValueKind.Array } metadata ? Validation.WellFormed(metadata, "metadata")
            : body.Metadata is { ValueKind: not JsonValueKind.Null } ? throw TaskServiceException.Invalid("metadata", "'metadata' must be a JSON object or array.")
            : null,
        Notes = body.Notes,
        Key = body.Key is { } key && string.IsNullOrWhiteSpace(key) ? throw TaskServiceException.Invalid("key", "'key' cannot be empty.") : body.Key,
        EndDate = body.EndDate,
        ExternalId = body.ExternalId,
    };

    private static TaskRecordStatus ParseStatus(string status) => status switch
    {
        "pending" => TaskRecordStatus.Pending,
        "in progress" => TaskRecordStatus.InProgress,
        "completed" => throw TaskServiceException.Invalid("status", "A task cannot be completed through PATCH; it completes when its workflow reaches the end-task step."),
        _ => throw TaskServiceException.Invalid("status", $"'status' must be 'pending' or 'in progress', not '{status}'."),
    };
}
