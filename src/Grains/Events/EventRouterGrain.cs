using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Storage;
using TaskService.Workflows;

namespace TaskService.Events;

/// <summary>
/// One per event key, fed by the event stream of that key whatever provider carries it (memory streams embedded, Kafka in production).
/// Records each event once by its id and starts every workflow mapped to the key with the payload as variables.
/// </summary>
[ImplicitStreamSubscription(StreamNames.IncomingEvents)]
public sealed partial class EventRouterGrain(
    ITaskServiceStore store,
    IWorkflowEngine engine,
    ILogger<EventRouterGrain> logger) : Grain, IEventRouterGrain, IStreamSubscriptionObserver, IAsyncObserver<EventRecord>
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<EventRecord>().ResumeAsync(this);

    public Task OnNextAsync(EventRecord item, StreamSequenceToken? token = null) => RouteAsync(item);

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(this.GetPrimaryKeyString(), ex);
        return Task.CompletedTask;
    }

    public async Task<bool> RouteAsync(EventRecord record)
    {
        var recording = await store.RecordEventAsync(record);
        if (recording == EventRecording.Routed)
        {
            LogDuplicate(record.Key, record.Id);
            return false;
        }

        var mappings = await store.GetEventMappingsAsync(record.Key);
        if (mappings.Count == 0)
        {
            LogNoMapping(record.Key, record.Id);
        }

        foreach (var mapping in mappings)
        {
            // The instance id derives from the event and the mapping, so starting again after a crash finds the same instance.
            try
            {
                var start = await engine.StartAsync(mapping.WorkflowKey, record.Payload, DeterministicId.From("event-workflow", record.Id, mapping.Id));
                LogWorkflowStarted(record.Key, record.Id, mapping.WorkflowKey, start.InstanceId);
            }
            catch (TaskServiceException exception)
            {
                // A mapping to a workflow that is not deployed, or input the workflow refuses: retrying cannot help.
                LogWorkflowStartFailed(record.Key, record.Id, mapping.WorkflowKey, exception);
            }
        }

        await store.MarkEventRoutedAsync(record.Id);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} with key {EventKey} was already recorded; ignored")]
    private partial void LogDuplicate(string eventKey, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} with key {EventKey} recorded; no workflow is mapped to the key")]
    private partial void LogNoMapping(string eventKey, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} with key {EventKey} started workflow {WorkflowKey} as instance {InstanceId}")]
    private partial void LogWorkflowStarted(string eventKey, string eventId, string workflowKey, string instanceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} with key {EventKey} could not start workflow {WorkflowKey}")]
    private partial void LogWorkflowStartFailed(string eventKey, string eventId, string workflowKey, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event stream {EventKey} reported an error")]
    private partial void LogStreamError(string eventKey, Exception exception);
}
