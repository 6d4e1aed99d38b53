using TaskService.Common;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Workflows;

namespace TaskService.Grains.Tests.Engine;

[Collection(ClusterCollection.Name)]
public sealed class EventRoutingTests(ClusterFixture fixture)
{
    [Fact]
    public async Task AnEventRecordedButNeverRoutedIsRoutedAgainAndStartsItsWorkflowOnce()
    {
        var processId = $"p_{Guid.NewGuid():N}";
        var workflow = fixture.Grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString());
        await workflow.CreateAsync(new NewWorkflow { Name = "routed", BpmnFile = Bpmn.Parallel(processId), InputSchema = JsonElementFactory.Parse("{}") });
        var eventKey = $"lost.{Guid.NewGuid():N}";
        var mapping = (await fixture.Grains.GetGrain<IMappingsGrain>(0).AddEventMappingAsync(eventKey, processId)).OrThrow();

        // As if the silo that recorded the event went down before putting it on the stream.
        var record = new EventRecord
        {
            Id = Guid.NewGuid().ToString(),
            Key = eventKey,
            Payload = JsonElementFactory.Parse("""{"lost":true}"""),
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        var store = fixture.SiloService<ITaskServiceStore>();
        Assert.Equal(EventRecording.New, await store.RecordEventAsync(record));

        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(DeterministicId.From("event-workflow", record.Id, mapping.Id));
        var details = await Eventually.ReturnsAsync<WorkflowInstanceDetails?>(() => instance.GetAsync(), d => d is not null, TimeSpan.FromSeconds(15), "the sweeper routes the event");

        Assert.True(details!.Variables.GetProperty("lost").GetBoolean());
        // The event is marked routed once its instance started, a moment after.
        Assert.Equal(
            EventRecording.Routed,
            await Eventually.ReturnsAsync(() => store.RecordEventAsync(record), r => r == EventRecording.Routed, TimeSpan.FromSeconds(15), "the event is marked routed"));
        var unrouted = await store.GetUnroutedEventsAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10_000);
        Assert.DoesNotContain(unrouted, e => e.Id == record.Id);
    }
}
