using System.Collections.Concurrent;
using TaskService.Storage;

namespace TaskService.Events;

/// <summary>
/// The records this silo's ingress is writing, by event id, while it hands their events to the routers. A router on this silo
/// takes the write from here and waits for it before noting the event as routed; a router on another silo does not find it
/// and records the event itself (once per id, so the two writes make one record).
/// </summary>
public sealed class EventsBeingRecorded
{
    private readonly ConcurrentDictionary<string, Task<EventRecording>> _writes = new(StringComparer.Ordinal);

    /// <summary>Notes <paramref name="recording"/> as the record of <paramref name="eventId"/> under way.</summary>
    public void Add(string eventId, Task<EventRecording> recording) => _writes[eventId] = recording;

    /// <summary>The record of <paramref name="eventId"/> under way on this silo, if there is one.</summary>
    public Task<EventRecording>? Find(string eventId) => _writes.TryGetValue(eventId, out var recording) ? recording : null;

    /// <summary>Forgets <paramref name="recording"/> (not a later write of the same id, which a retry may have added meanwhile).</summary>
    public void Remove(string eventId, Task<EventRecording> recording) => _writes.TryRemove(new KeyValuePair<string, Task<EventRecording>>(eventId, recording));
}
