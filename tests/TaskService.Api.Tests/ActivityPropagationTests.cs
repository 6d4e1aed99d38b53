using Microsoft.Extensions.DependencyInjection;

namespace TaskService.Api.Tests;

/// <summary>
/// Orleans' activity propagation (a filter on every outgoing and every incoming grain call) is there only when spans are
/// recorded: without tracing nothing would read what it carries (TracingTests shows the trace with tracing on).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ActivityPropagationTests(TaskServiceApiFactory factory)
{
    [Fact]
    public void WithoutTracingNoGrainCallCarriesATrace()
    {
        _ = factory.CreateClient();

        Assert.DoesNotContain(factory.Services.GetServices<IIncomingGrainCallFilter>(), IsActivityPropagation);
        Assert.DoesNotContain(factory.Services.GetServices<IOutgoingGrainCallFilter>(), IsActivityPropagation);
    }

    [Fact]
    public async Task WithTracingEveryGrainCallCarriesTheTrace()
    {
        await using var traced = new TaskServiceApiFactory { Overrides = { ["TaskService:Operations:Tracing"] = "true" } };
        _ = traced.CreateClient();

        Assert.Contains(traced.Services.GetServices<IIncomingGrainCallFilter>(), IsActivityPropagation);
        Assert.Contains(traced.Services.GetServices<IOutgoingGrainCallFilter>(), IsActivityPropagation);
    }

    private static bool IsActivityPropagation(object filter) =>
        filter.GetType().Name.StartsWith("ActivityPropagation", StringComparison.Ordinal);
}
