using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace TaskService.Api.Tests;

/// <summary>One trace per event: from the trigger through routing, the workflow and the task to the webhook delivery.</summary>
public sealed class TracingTests : IAsyncLifetime
{
    private readonly LockedSpans _spans = new();
    private readonly TaskServiceApiFactory _factory;

    public TracingTests()
    {
        _factory = new TaskServiceApiFactory
        {
            Overrides = { ["TaskService:Operations:Tracing"] = "true" },
            TestServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans)),
        };
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task ATriggeredEventIsOneTraceFromTheRequestToTheWebhookWhichCarriesItsTraceparent()
    {
        var client = _factory.CreateClient(TestWorkflows.AllPermissions);
        await using var scope = await DeliveryScope.StartAsync(_factory);
        var path = DeliveryScope.NewPath("traced");
        await scope.SubscribeAsync(path);
        var (bpmn, processId) = TestWorkflows.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
        await client.DeployAsync(bpmn);
        var eventKey = TaskSeeding.NewKey("traced");
        var taskKey = TaskSeeding.NewKey("traced-task");
        (await client.PostJsonAsync("/events/mapping", new { eventKey, workflowKey = processId })).EnsureSuccessStatusCode();

        // The caller's own trace: everything the event causes belongs to it.
        var traceId = ActivityTraceId.CreateRandom();
        using var trigger = JsonApi.Request("POST", "/events/trigger", TestEvent.Keyed(eventKey).CreatingTask(taskKey, "traced task").TriggerJson);
        trigger.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        await (await client.SendAsync(trigger)).AssertStatusAsync(HttpStatusCode.Accepted);

        var receipt = (await Eventually.ReturnsAsync(() => scope.Receiver.ReceivedForAsync(path, taskKey), r => r.Count > 0, because: "task-created is delivered")).Single();
        Assert.True(receipt.TraceParent is { } header && header.Contains(traceId.ToHexString(), StringComparison.Ordinal), $"the delivery's traceparent '{receipt.TraceParent}' continues trace {traceId}. Spans: {Describe()}");

        var names = await Eventually.ReturnsAsync(
            () => Task.FromResult(SpansOf(traceId)),
            spans => spans.Contains("webhook deliver") && spans.Contains("start workflow instance") && spans.Any(n => n.StartsWith("POST", StringComparison.Ordinal) && n != "POST /events/trigger"),
            because: "the delivery's spans are exported");
        Assert.Contains("POST /events/trigger", names);
        Assert.Contains("route event", names);
        Assert.Contains("start workflow instance", names);
        Assert.Contains("create task", names);
        Assert.Contains("webhook deliver", names);
        Assert.Contains("run command create-tasks", names);

        // In a silo the API records the event through the silo's own ingress: no call to the ingress grain.
        Assert.DoesNotContain(names, n => n.StartsWith("IEventIngressGrain/", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("IEventRouterGrain/", StringComparison.Ordinal));

        // Orleans' own polling and timers start no traces of their own.
        Assert.DoesNotContain(_spans.Snapshot(), s => s.ParentSpanId == default && s.DisplayName.StartsWith("IMemoryStreamQueueGrain/", StringComparison.Ordinal));
    }

    /// <summary>The traces that touch events, tasks or webhooks, for the failure message.</summary>
    private string Describe() =>
        string.Join("\n", _spans.Snapshot().GroupBy(s => s.TraceId)
            .Where(g => g.Any(s => s.DisplayName.Contains("event", StringComparison.OrdinalIgnoreCase) || s.DisplayName.Contains("webhook", StringComparison.Ordinal) || s.DisplayName.Contains("Task", StringComparison.Ordinal)))
            .Select(g => $"{g.Key}: {string.Join(" | ", g.Select(s => s.DisplayName))}"));

    private List<string> SpansOf(ActivityTraceId traceId)
    {
        return _spans.Snapshot().Where(s => s.TraceId == traceId).Select(s => s.DisplayName).ToList();
    }
}

/// <summary>The exporter's list, written by the exporter's thread while the test reads it.</summary>
internal sealed class LockedSpans : ICollection<Activity>
{
    private readonly List<Activity> _items = [];

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public Activity[] Snapshot()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }

    public void Add(Activity item)
    {
        lock (_items)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_items)
        {
            _items.Clear();
        }
    }

    public bool Contains(Activity item) => Snapshot().Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

    public bool Remove(Activity item)
    {
        lock (_items)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => ((IEnumerable<Activity>)Snapshot()).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
