using System.ComponentModel.DataAnnotations;

namespace TaskService.Outgoing;

/// <summary>How the outbox dispatcher hands outgoing events to the connectors. Bound from <c>TaskService:Outbox</c>.</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "TaskService:Outbox";

    /// <summary>
    /// Whether this silo dispatches the outbox. Every silo does by default; turning it off on some silos leaves the work to the
    /// others (events still go into the outbox, and nothing is lost while no silo dispatches).
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the outbox is read when nothing signals new events (picks up what a crashed silo left behind).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Entries claimed per read.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>
    /// How long a claim keeps other silos off an entry; a dispatcher that dies lets its claims run out, so this is also how late
    /// deliveries held by a killed silo resume. Handing a batch over takes milliseconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the outbox backlog gauges (<c>taskservice.outbox.backlog</c>, <c>.oldest_age</c>) read the backlog: one small
    /// query per interval, and none while no metrics exporter listens.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan BacklogReadInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a dispatched entry is kept. While it is there, an event with its id is not appended again (a step that runs
    /// twice sends its event once); after it, the sweep of every silo deletes it, so the outbox does not grow without end.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
