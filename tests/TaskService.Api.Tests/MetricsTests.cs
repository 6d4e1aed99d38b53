using System.Net;

namespace TaskService.Api.Tests;

/// <summary>
/// After a whole lifecycle (event -> workflow -> task created -> user tasks completed -> task ended -> webhooks delivered), with
/// one event dead-lettered, one command failing into an incident and one delivery retried, a Prometheus scrape of
/// <c>/metrics</c> over HTTP holds every TaskService metric with the count the lifecycle implies.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests : IAsyncLifetime
{
    private static readonly string FailingBpmn = BpmnBuilder.Process("failing-process")
        .StartEvent("StartEvent_1")
        .ServiceTask("Fails", MetricsApiFactory.FailingTopic)
        .EndEvent("EndEvent_1")
        .Build();

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly MetricsApiFactory _factory = new();
    private HttpClient _scraper = null!;

    public Task InitializeAsync()
    {
        _scraper = new HttpClient { BaseAddress = _factory.Address };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _scraper.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task AfterTheLifecycleAScrapeOfMetricsHoldsEveryMetricWithItsCount()
    {
        var client = _factory.CreateClient(TestWorkflows.AllPermissions);
        var (_, _, eventKey, taskKey) = await client.DeployParentAndChildAsync("metrics", "metrics-task");
        var (failingBpmn, failingKey) = TestWorkflows.WithFreshProcessId(FailingBpmn, "failing-process");
        await client.DeployAsync(failingBpmn);
        var failingEventKey = TaskSeeding.NewKey("metrics-failing");
        (await client.PostJsonAsync("/events/mapping", new { eventKey = failingEventKey, workflowKey = failingKey })).EnsureSuccessStatusCode();

        await using var delivery = await DeliveryScope.StartAsync(_factory);
        var (created, userTaskCompleted, completed) = await delivery.SubscribeToTaskLifecycleAsync();
        // task-created is refused once (500), so one attempt has the outcome "retry".
        await delivery.Receiver.SetBehaviourAsync(created, failTimes: 1);

        // The lifecycle, an event whose routing fails (dead-lettered) and one whose workflow's command fails (an incident).
        await (await client.PostJsonAsync("/events/trigger", TestEvent.Keyed(eventKey).CreatingTask(taskKey, "measured task").Trigger))
            .AssertStatusAsync(HttpStatusCode.Accepted);
        await (await client.PostJsonAsync("/events/trigger", new { key = eventKey, payload = new { poison = true } })).AssertStatusAsync(HttpStatusCode.Accepted);
        await (await client.PostJsonAsync("/events/trigger", new { key = failingEventKey, payload = new { } })).AssertStatusAsync(HttpStatusCode.Accepted);

        var taskCreated = await Eventually.ReturnsAsync(
            async () => (await delivery.Receiver.ReceivedAsync()).Where(r => r.Path == created && r.Valid && r.Concerns(taskKey)).ToArray(),
            r => r.Length > 0, Deadline, "task-created reaches the webhook");
        var taskId = taskCreated[^1].Payload.GetProperty("createdTasks")[0].GetProperty("id").GetString()!;
        foreach (var _ in new[] { "Review", "Approve" })
        {
            var pending = await Eventually.ReturnsAsync(
                () => client.GetJsonAsync($"/tasks/{taskId}/user-tasks?{JsonApi.Filter(new { where = new { status = "pending" } })}"),
                u => u.GetArrayLength() == 1, Deadline, "the next user task is pending");
            await (await client.SendAsync("PATCH", $"/tasks/{taskId}/user-tasks/{pending[0].GetProperty("id").GetString()}/complete")).AssertStatusAsync(HttpStatusCode.NoContent);
        }

        await Eventually.ReturnsAsync(
            async () => (await delivery.Receiver.ReceivedAsync()).Count(r => r.Valid && r.Path == completed),
            n => n == 1, Deadline, "task-completed reaches the webhook");

        // Everything delivered and handed over: the scrape settles on the lifecycle's counts.
        var scrape = await Eventually.ReturnsAsync(
            ScrapeAsync,
            s => s.Value("taskservice_webhooks_deliveries_total", ("taskservice_webhook_outcome", "delivered")) == 4
                 && s.Value("taskservice_outbox_backlog") == 0
                 && s.Value("taskservice_workflow_instances_incidents_total") == 1
                 && s.Value("taskservice_events_dead_lettered_total") == 1,
            Deadline, "the scrape shows the lifecycle done");

        // Three events accepted: the lifecycle's, the poisoned one (dead-lettered) and the failing workflow's.
        AssertValue(scrape, 3, "taskservice_events_accepted_total");
        AssertValue(scrape, 2, "taskservice_events_routed_total");
        AssertValue(scrape, 1, "taskservice_events_dead_lettered_total");
        AssertValue(scrape, 2, "taskservice_events_routing_lag_seconds_count");
        Assert.True(scrape.Value("taskservice_events_routing_lag_seconds_sum") is > 0 and < 30, "routing lag is measured in seconds");

        // Parent, child and failing instances started; parent and child completed; the failing one has an incident.
        AssertValue(scrape, 3, "taskservice_workflow_instances_started_total");
        AssertValue(scrape, 2, "taskservice_workflow_instances_completed_total");
        AssertValue(scrape, 1, "taskservice_workflow_instances_incidents_total");

        AssertValue(scrape, 1, "taskservice_commands_run_total", ("taskservice_command_topic", "create-tasks"));
        AssertValue(scrape, 1, "taskservice_commands_run_total", ("taskservice_command_topic", "end-task"));
        AssertValue(scrape, 1, "taskservice_commands_run_total", ("taskservice_command_topic", MetricsApiFactory.FailingTopic));
        AssertValue(scrape, 1, "taskservice_commands_failed_total", ("taskservice_command_topic", MetricsApiFactory.FailingTopic));
        AssertValue(scrape, 1, "taskservice_commands_failed_total");

        AssertValue(scrape, 1, "taskservice_tasks_created_total");
        AssertValue(scrape, 1, "taskservice_tasks_completed_total");
        AssertValue(scrape, 2, "taskservice_user_tasks_created_total");
        AssertValue(scrape, 2, "taskservice_user_tasks_completed_total");

        AssertValue(scrape, 0, "taskservice_outbox_backlog");
        AssertValue(scrape, 0, "taskservice_outbox_oldest_age_seconds");

        // task-created (after one refusal), two user-task-completed and task-completed.
        AssertValue(scrape, 4, "taskservice_webhooks_deliveries_total", ("taskservice_webhook_outcome", "delivered"));
        AssertValue(scrape, 4, "taskservice_webhooks_delivery_duration_seconds_count", ("taskservice_webhook_outcome", "delivered"));

        // The refusal is counted. Retries are the one series other services of this test process add to after their tests
        // end (a subscription kept to a receiver that is gone retries each event it still holds), so it is at least ours.
        Assert.True(scrape.Value("taskservice_webhooks_deliveries_total", ("taskservice_webhook_outcome", "retry")) >= 1, "the refused delivery is counted as a retry");
        Assert.True(scrape.Value("taskservice_webhooks_delivery_duration_seconds_count", ("taskservice_webhook_outcome", "retry")) >= 1, "the refused delivery's duration is measured");
        Assert.True(
            scrape.Value("taskservice_webhooks_delivery_duration_seconds_sum", ("taskservice_webhook_outcome", "delivered")) is > 0 and < 10,
            "delivery durations are measured in seconds");
    }

    private async Task<PrometheusScrape> ScrapeAsync()
    {
        using var response = await _scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return PrometheusScrape.Parse(await response.Content.ReadAsStringAsync());
    }

    private static void AssertValue(PrometheusScrape scrape, double expected, string name, params (string Label, string Value)[] labels)
    {
        var actual = scrape.Value(name, labels);
        Assert.True(actual == expected,
            $"{name}{{{string.Join(',', labels.Select(l => $"{l.Label}=\"{l.Value}\""))}}} is {actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"}, expected {expected}. " +
            $"TaskService series: {string.Join("; ", scrape.Samples.Where(s => s.Name.StartsWith("taskservice_", StringComparison.Ordinal) && !s.Name.EndsWith("_bucket", StringComparison.Ordinal)).Select(s => $"{s.Name}{{{string.Join(',', s.Labels.Select(l => $"{l.Key}={l.Value}"))}}}={s.Value}"))}");
    }
}
