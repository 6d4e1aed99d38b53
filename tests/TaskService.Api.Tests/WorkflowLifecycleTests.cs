using System.Net;

namespace TaskService.Api.Tests;

/// <summary>The whole task lifecycle over HTTP on the embedded engine, with deliveries checked by the Node receiver.</summary>
[Collection(ApiCollection.Name)]
public sealed class WorkflowLifecycleTests(TaskServiceApiFactory factory)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AnEventStartsTheParentWorkflowWhoseTasksRunTheirOwnWorkflowsToCompletion()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (_, _, eventKey, mappedTaskKey) = await client.DeployParentAndChildAsync("case.opened", "review-contract");
        var unmappedTaskKey = TaskSeeding.NewKey("call-customer");

        await using var delivery = await DeliveryScope.StartAsync(factory);
        var (created, userTaskCompleted, completed) = await delivery.SubscribeToTaskLifecycleAsync();

        var trigger = await client.PostJsonAsync("/events/trigger", new
        {
            key = eventKey,
            source = "contracts",
            description = "A contract case was opened",
            payload = new
            {
                caseId = 7,
                tasks = new
                {
                    values = new object[]
                    {
                        new { key = mappedTaskKey, name = "Review the contract", priority = "high", severity = "medium", type = "review", metadata = new { caseId = 7 } },
                        new { key = unmappedTaskKey, name = "Call the customer", priority = "low", severity = "low", type = "call" },
                    },
                },
            },
        });
        await trigger.AssertStatusAsync(HttpStatusCode.Accepted);

        // task-created names both tasks, delivered and signed as the README's sample checks.
        var taskCreated = await Eventually.ReturnsAsync(
            async () => (await delivery.Receiver.ReceivedAsync()).Where(r => r.Path == created && r.Valid && r.Concerns(mappedTaskKey)).ToArray(),
            receipts => receipts.Length > 0, Deadline, "task-created reaches the webhook");
        var createdTasks = Assert.Single(taskCreated).Payload.GetProperty("createdTasks");
        Assert.Equal([mappedTaskKey, unmappedTaskKey], createdTasks.Values("key"));
        var taskId = createdTasks[0].GetProperty("id").GetString()!;
        var unmappedTaskId = createdTasks[1].GetProperty("id").GetString()!;

        // The mapped task shows the first user task of its workflow; the unmapped one has none.
        var userTasks = await client.GetJsonAsync($"/tasks/{taskId}/user-tasks");
        var review = Assert.Single(userTasks.EnumerateArray());
        Assert.Equal("Review\ndocument", review.GetProperty("name").GetString());
        Assert.Equal("pending", review.GetProperty("status").GetString());
        Assert.Equal("reviewer", review.GetProperty("assignee").GetString());
        Assert.Empty((await client.GetJsonAsync($"/tasks/{unmappedTaskId}/user-tasks")).EnumerateArray());
        Assert.False(string.IsNullOrEmpty((await client.GetJsonAsync($"/tasks/{taskId}")).GetProperty("externalId").GetString()));

        // Completing it shows the second.
        await (await client.SendAsync("PATCH", $"/tasks/{taskId}/user-tasks/{review.GetProperty("id").GetString()}/complete")).AssertStatusAsync(HttpStatusCode.NoContent);
        userTasks = await client.GetJsonAsync($"/tasks/{taskId}/user-tasks?{JsonApi.Filter(new { where = new { status = "pending" } })}");
        var approve = Assert.Single(userTasks.EnumerateArray());
        Assert.Equal("Approve", approve.GetProperty("name").GetString());

        // Completing that ends the task's workflow: user-task-completed twice, then task-completed.
        await (await client.SendAsync("PATCH", $"/tasks/{taskId}/user-tasks/{approve.GetProperty("id").GetString()}/complete", """{"variables":{"approved":true}}""")).AssertStatusAsync(HttpStatusCode.NoContent);
        var receipts = await Eventually.ReturnsAsync(
            async () => (await delivery.Receiver.ReceivedAsync())
                .Where(r => r.Valid && (r.Path == userTaskCompleted || r.Path == completed) && TaskIdOf(r) == taskId)
                .ToArray(),
            r => r.Length >= 3, Deadline, "two user-task-completed and one task-completed are delivered");
        // Each subscription delivers its own events in order; across subscriptions (one per key here) the order is the order the
        // events were produced in, which their timestamps carry.
        var userTaskReceipts = receipts.Where(r => r.Key == "user-task-completed").ToArray();
        var taskCompleted = Assert.Single(receipts, r => r.Key == "task-completed");
        Assert.Equal(["Review\ndocument", "Approve"], userTaskReceipts.Select(r => r.Payload.GetProperty("userTask").GetProperty("name").GetString()));
        Assert.All(userTaskReceipts, r => Assert.Equal("completed", r.Payload.GetProperty("userTask").GetProperty("status").GetString()));
        Assert.True(
            userTaskReceipts[0].Body.GetProperty("timestamp").GetInt64() <= userTaskReceipts[1].Body.GetProperty("timestamp").GetInt64()
            && userTaskReceipts[1].Body.GetProperty("timestamp").GetInt64() <= taskCompleted.Body.GetProperty("timestamp").GetInt64(),
            "user-task-completed, user-task-completed and task-completed are produced in that order");

        var task = await Eventually.ReturnsAsync(
            () => client.GetJsonAsync($"/tasks/{taskId}"),
            t => t.GetProperty("status").GetString() == "completed", Deadline, "the task is completed");
        Assert.True(task.TryGetProperty("endDate", out _));
        Assert.Equal("pending", (await client.GetJsonAsync($"/tasks/{unmappedTaskId}")).GetProperty("status").GetString());

        // The child instance ends right after its end-task step has completed the task, and the event was recorded once.
        var instance = await Eventually.ReturnsAsync(
            () => client.GetJsonAsync($"/workflow-instances/{task.GetProperty("externalId").GetString()}"),
            i => i.GetProperty("instance").GetProperty("status").GetString() == "completed", Deadline, "the task's workflow instance is completed");
        Assert.True(instance.GetProperty("variables").GetProperty("approved").GetBoolean());
        Assert.Equal(1, await client.CountAsync($"/events/count?{JsonApi.Where(new { key = eventKey })}"));
    }

    private static string? TaskIdOf(WebhookReceipt receipt) =>
        receipt.Key switch
        {
            "task-completed" => receipt.Payload.GetProperty("taskId").GetString(),
            "user-task-completed" => receipt.Payload.GetProperty("task").GetProperty("id").GetString(),
            _ => null,
        };
}
