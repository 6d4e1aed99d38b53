using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
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
        tasks.MapDelete("/{id}", DeleteAsync).RequireAuthorization(Permissions.DeleteTask).AcceptsQuery(QueryParameters.CascadeName);
        tasks.MapDelete("/", DeleteWhereAsync).RequireAuthorization(Permissions.DeleteTask).AcceptsQuery(QueryParameters.WhereName, QueryParameters.CascadeName);
        return app;
    }

    public static Task<Results<Ok<IReadOnlyList<JsonElement>>, BadRequestProblem>> ListAsync(HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.ListAsync(request, grains, EntityKind.Task, EntitySchemas.Task);

    public static Task<Results<Ok<CountResult>, BadRequestProblem>> CountAsync(HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.CountAsync(request, grains, EntityKind.Task, EntitySchemas.Task);

    public static Task<Results<Ok<JsonElement>, BadRequestProblem, NotFoundProblem>> GetAsync(string id, HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.GetAsync(id, request, grains, EntityKind.Task, EntitySchemas.Task, "task");

    public static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> UpdateAsync(
        string id, TaskPatchRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var update = ToUpdate(body);
        if (!update.IsOk)
        {
            return update.Problem.ToResults<NoContent>();
        }

        return (await grains.GetGrain<ITaskGrain>(id).UpdateAsync(update.Value!, user.UserId())).ToResults(_ => TypedResults.NoContent());
    }

    /// <summary>Updates every task the <c>where</c> parameter matches; <c>where</c> is required (<c>where={}</c> matches all).</summary>
    public static async Task<Results<Ok<CountResult>, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> UpdateWhereAsync(
        TaskPatchRequest? body, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var update = ToUpdate(body);
        if (!update.IsOk)
        {
            return update.Problem.ToResults<Ok<CountResult>>();
        }

        var ids = await MatchingIdsAsync(request, grains);
        if (!ids.IsOk)
        {
            return ids.Problem.ToResults<Ok<CountResult>>();
        }

        foreach (var id in ids.Value!)
        {
            if ((await grains.GetGrain<ITaskGrain>(id).UpdateAsync(update.Value!, user.UserId())).Problem is { } problem)
            {
                return problem.ToResults<Ok<CountResult>>();
            }
        }

        return TypedResults.Ok(new CountResult(ids.Value!.Count));
    }

    /// <summary>Deletes a task; <c>cascade</c> (default true) also deletes its user tasks and ends its workflow instance.</summary>
    public static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> DeleteAsync(
        string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var cascade = QueryParameters.Flag(request, QueryParameters.CascadeName);
        return !cascade.IsOk
            ? cascade.Problem.ToResults<NoContent>()
            : (await grains.GetGrain<ITaskGrain>(id).DeleteAsync(cascade.Value ?? true, user.UserId())).ToResults(TypedResults.NoContent);
    }

    public static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> DeleteWhereAsync(
        HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var cascade = QueryParameters.Flag(request, QueryParameters.CascadeName);
        if (!cascade.IsOk)
        {
            return cascade.Problem.ToResults<NoContent>();
        }

        var ids = await MatchingIdsAsync(request, grains);
        if (!ids.IsOk)
        {
            return ids.Problem.ToResults<NoContent>();
        }

        foreach (var id in ids.Value!)
        {
            if ((await grains.GetGrain<ITaskGrain>(id).DeleteAsync(cascade.Value ?? true, user.UserId())).Problem is { } problem)
            {
                return problem.ToResults<NoContent>();
            }
        }

        return TypedResults.NoContent();
    }

    public static async Task<Results<Created<TaskWorkflowMapping>, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> AddMappingAsync(
        TaskMappingRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if ((Validation.Body(body) ?? Validation.Required(body.TaskKey, "taskKey") ?? Validation.Required(body.WorkflowKey, "workflowKey")) is { } invalid)
        {
            return invalid.ToResults<Created<TaskWorkflowMapping>>();
        }

        var mapping = await grains.GetGrain<IMappingsGrain>(0).AddTaskMappingAsync(body.TaskKey!, body.WorkflowKey!, user.UserId());
        return mapping.ToResults(added => TypedResults.Created($"/tasks/mapping/{added.Id}", added));
    }

    public static Task<Results<Ok<IReadOnlyList<JsonElement>>, BadRequestProblem>> ListMappingsAsync(HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.ListAsync(request, grains, EntityKind.TaskMapping, EntitySchemas.TaskMapping);

    /// <summary>Soft-deletes the mapping; its keys can be mapped again.</summary>
    public static async Task<Results<NoContent, NotFoundProblem>> DeleteMappingAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<IMappingsGrain>(0).DeleteTaskMappingAsync(id, user.UserId()) ? TypedResults.NoContent() : ProblemAnswers.NotFound("task mapping", id);

    private static async Task<Outcome<IReadOnlyList<string>>> MatchingIdsAsync(HttpRequest request, IGrainFactory grains)
    {
        if (!QueryParameters.Has(request, QueryParameters.WhereName))
        {
            return Problem.Invalid("where", "A bulk change needs the 'where' query parameter; use where={} to match every task.");
        }

        var where = QueryParameters.ChangeWhere(request, EntitySchemas.Task, "every task");
        if (!where.IsOk)
        {
            return where.Problem;
        }

        return await BulkMatches.FindAsync(request, grains, EntityKind.Task, where.Value, "tasks");
    }

    private static Outcome<TaskUpdate> ToUpdate(TaskPatchRequest? body)
    {
        if (Validation.Body(body) is { } missing)
        {
            return missing;
        }

        // A task always has a name, a key and a status: null for one of them is refused rather than read as "keep it".
        if (body.Nulls.FirstOrDefault(name => name is "name" or "key" or "status") is { } required)
        {
            return Problem.Invalid(required, $"'{required}' cannot be null: every task has one. Leave the field out to keep its value.");
        }

        if (body.Metadata is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null) })
        {
            return Problem.Invalid("metadata", "'metadata' must be a JSON object or array.");
        }

        if (body.Key is { } key && string.IsNullOrWhiteSpace(key))
        {
            return Problem.Invalid("key", "'key' cannot be empty.");
        }

        var status = body.Status is null ? null : ParseStatus(body.Status);
        if (status is { IsOk: false })
        {
            return status.Problem;
        }

        return new TaskUpdate
        {
            Name = body.Name,
            Description = body.Description,
            Status = status?.Value,
            Priority = body.Priority,
            Severity = body.Severity,
            Type = body.Type,
            AssigneeId = body.AssigneeId,
            StartDate = body.StartDate,
            DueDate = body.DueDate,
            Metadata = body.Metadata is { ValueKind: JsonValueKind.Object or JsonValueKind.Array } metadata ? metadata : null,
            Notes = body.Notes,
            Key = body.Key,
            EndDate = body.EndDate,
            ExternalId = body.ExternalId,
            Cleared = body.Nulls.Count > 0 ? [.. body.Nulls] : null,
        };
    }

    private static Outcome<TaskRecordStatus> ParseStatus(string status) => status switch
    {
        "pending" => TaskRecordStatus.Pending,
        "in progress" => TaskRecordStatus.InProgress,
        "completed" => Problem.Invalid("status", "A task cannot be completed through PATCH; it completes when its workflow reaches the end-task step."),
        _ => Problem.Invalid("status", $"'status' must be 'pending' or 'in progress', not '{status}'."),
    };
}
