using TaskService.Errors;
using TaskService.Grains.Tests.Engine;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Tasks;

namespace TaskService.Grains.Tests.Tasks;

/// <summary>The task grain's user-task assignee rules and the history each change writes, through the grain contract.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TaskGrainAssigneeTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ConcurrentClaimsLeaveOneAssigneeAndOneHistoryEntry()
    {
        var (task, userTaskId) = await NewUserTaskAsync();

        var claims = Enumerable.Range(0, 8).Select(i => Outcome(task.ClaimUserTaskAsync(userTaskId, $"user-{i}"))).ToArray();
        var outcomes = await Task.WhenAll(claims);

        Assert.Single(outcomes, o => o == "ok");
        Assert.Equal(7, outcomes.Count(o => o == nameof(TaskServiceErrorKind.Conflict)));
        Assert.Single(await HistoryAsync(task, TaskHistoryActions.Claimed));
    }

    [Fact]
    public async Task TheAssigneeRuleBindsTheCheckedOverloadButNotTheOriginalContract()
    {
        var (task, userTaskId) = await NewUserTaskAsync(assignee: "owner");
        var (other, otherUserTaskId) = await NewUserTaskAsync(assignee: "owner");

        Assert.Equal(nameof(TaskServiceErrorKind.Forbidden), await Outcome(task.CompleteUserTaskAsync(userTaskId, null, "intruder", anyAssignee: false)));
        Assert.Equal(nameof(TaskServiceErrorKind.Forbidden), await Outcome(task.UnclaimUserTaskAsync(userTaskId, "intruder", anyAssignee: false)));
        Assert.Equal("ok", await Outcome(task.CompleteUserTaskAsync(userTaskId, null, "owner", anyAssignee: false)));
        Assert.Equal("ok", await Outcome(other.CompleteUserTaskAsync(otherUserTaskId, null)));
        Assert.Equal(nameof(TaskServiceErrorKind.Conflict), await Outcome(task.ClaimUserTaskAsync(userTaskId, "owner")));
        Assert.Equal(["owner"], (await HistoryAsync(task, TaskHistoryActions.Completed)).Select(e => e.GetProperty("by").GetString()));
        Assert.Equal(["system"], (await HistoryAsync(other, TaskHistoryActions.Completed)).Select(e => e.GetProperty("by").GetString()));
    }

    private async Task<(ITaskGrain Task, string UserTaskId)> NewUserTaskAsync(string? assignee = null)
    {
        var task = fixture.Grains.GetGrain<ITaskGrain>($"grain-task-{Guid.NewGuid():N}");
        await task.CreateAsync(new NewTask { Key = "assignee-rules", Name = "rules" });
        await task.AddUserTasksAsync([new NewUserTask { ExternalId = "step", Name = "step", Assignee = assignee }]);
        return (task, (await task.GetUserTasksAsync()).Single().Id);
    }

    private async Task<IReadOnlyList<System.Text.Json.JsonElement>> HistoryAsync(ITaskGrain task, string action) =>
        await fixture.Grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.TaskHistory, new QueryFilter
        {
            Where = new AndNode(
            [
                new ConditionNode(["taskId"], FilterOperator.Eq, JsonElementFactory.From(task.GetPrimaryKeyString())),
                new ConditionNode(["action"], FilterOperator.Eq, JsonElementFactory.From(action)),
            ]),
        });

    private static async Task<string> Outcome<T>(Task<TaskService.Errors.Outcome<T>> call) => (await call).Problem?.Kind.ToString() ?? "ok";
}
