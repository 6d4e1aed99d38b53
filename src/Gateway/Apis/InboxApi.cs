using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;
using TaskService.Queries;
using TaskService.Serialization;

namespace TaskService.Gateway.Apis;

/// <summary>
/// <c>/user-tasks</c>: user tasks across all tasks, and the caller's inbox (<c>/user-tasks/mine</c>): the user tasks assigned to
/// the caller (the token's <c>sub</c>) and the unassigned ones offered to one of the caller's groups (the claim named by
/// <c>TaskService:Auth:GroupsClaim</c>, <c>groups</c> by default). Both take a LoopBack filter (assignee, candidateGroups with
/// <c>contains</c>, dueDate, status, ...) and are served by the store's query, never by asking task grains.
/// </summary>
public static class InboxApi
{
    private const string AssigneeField = "assignee";
    private const string CandidateGroupsField = "candidateGroups";

    public static IEndpointRouteBuilder MapInboxApi(this IEndpointRouteBuilder app)
    {
        var userTasks = app.MapGroup("/user-tasks").WithTags("User task inbox");

        userTasks.MapGet("/", ListAsync).RequireAuthorization(Permissions.ViewUserTask).AcceptsQuery("filter")
            .WithSummary("User tasks of every task, by LoopBack filter.");
        userTasks.MapGet("/count", CountAsync).RequireAuthorization(Permissions.ViewUserTask).AcceptsQuery("where")
            .WithSummary("How many user tasks of every task match 'where'.");
        userTasks.MapGet("/mine", ListMineAsync).RequireAuthorization(Permissions.ViewUserTask).AcceptsQuery("filter")
            .WithSummary("The caller's inbox: user tasks assigned to the caller, and unassigned ones offered to one of the caller's groups.")
            .WithDescription("Add a filter to narrow it, for example {\"where\": {\"status\": \"pending\", \"dueDate\": {\"lt\": \"2030-01-01T00:00:00Z\"}}}. " +
                "The caller is the token's 'sub'; the groups are the claim named by TaskService:Auth:GroupsClaim ('groups').");
        userTasks.MapGet("/mine/count", CountMineAsync).RequireAuthorization(Permissions.ViewUserTask).AcceptsQuery("where")
            .WithSummary("How many user tasks of the caller's inbox match 'where'.");
        return app;
    }

    public static Task<Results<Ok<IReadOnlyList<JsonElement>>, BadRequestProblem>> ListAsync(HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.ListAsync(request, grains, EntityKind.UserTask, EntitySchemas.UserTask);

    public static Task<Results<Ok<CountResult>, BadRequestProblem>> CountAsync(HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.CountAsync(request, grains, EntityKind.UserTask, EntitySchemas.UserTask);

    public static async Task<Results<Ok<IReadOnlyList<JsonElement>>, BadRequestProblem>> ListMineAsync(HttpRequest request, ClaimsPrincipal user, IOptions<InboxOptions> options, IGrainFactory grains)
    {
        var parsed = QueryParameters.Filter(request, EntitySchemas.UserTask);
        if (parsed.Value is not { } filter)
        {
            return parsed.Problem!.ToBadRequest();
        }

        var mine = Mine(user, options.Value);
        return TypedResults.Ok(await grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.UserTask,
            filter with { Where = filter.Where is null ? mine : new AndNode([mine, filter.Where]) }));
    }

    public static async Task<Results<Ok<CountResult>, BadRequestProblem>> CountMineAsync(HttpRequest request, ClaimsPrincipal user, IOptions<InboxOptions> options, IGrainFactory grains)
    {
        var where = QueryParameters.Where(request, EntitySchemas.UserTask);
        if (!where.IsOk)
        {
            return where.Problem.ToBadRequest();
        }

        var mine = Mine(user, options.Value);
        return TypedResults.Ok(new CountResult(await grains.GetGrain<IQueryGrain>(0).CountAsync(EntityKind.UserTask,
            where.Value is null ? mine : new AndNode([mine, where.Value]))));
    }

    /// <summary>assignee = caller, or (assignee is null and candidateGroups contains one of the caller's groups).</summary>
    public static FilterNode Mine(ClaimsPrincipal user, InboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var either = new List<FilterNode>();
        if (user.UserId() is { } userId)
        {
            either.Add(new ConditionNode([AssigneeField], FilterOperator.Eq, JsonElementFactory.From(userId)));
        }

        var groups = user.Groups(options.GroupsClaim);
        if (groups.Count > 0)
        {
            either.Add(new AndNode(
            [
                new ConditionNode([AssigneeField], FilterOperator.Eq, JsonElementFactory.Null),
                new OrNode(groups.Select(g => (FilterNode)new ConditionNode(
                    [CandidateGroupsField], FilterOperator.Contains, JsonSerializer.SerializeToElement(new[] { g }))).ToArray()),
            ]));
        }

        return new OrNode(either);
    }
}
