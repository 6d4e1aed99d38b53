using System.Diagnostics;

namespace TaskService.Benchmarks;

/// <summary>
/// Where an idle event's time goes: while the idle phase runs (one event at a time), records every span the process makes
/// (ASP.NET Core, HttpClient, Npgsql, Orleans, TaskService) and prints them as one typical event's timeline. An event starts
/// with its trigger request (<c>POST /events/trigger</c>); its spans are those that start before the next trigger. A span is
/// named by its source, its name and its place among the event's spans of that name; the timeline shows the median start
/// (from the trigger's start) and the median duration of each, with how many events had it.
/// </summary>
internal sealed class IdleTimeline : IDisposable
{
    private const string TriggerRequest = "POST /events/trigger";

    private readonly ActivityListener _listener;
    private readonly List<Span> _spans = [];
    private readonly Lock _gate = new();

    public IdleTimeline()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    private void Stopped(Activity activity)
    {
        var name = activity.Source.Name == "Npgsql" && (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement")) is string sql
            ? Shorten(sql)
            : activity.DisplayName;
        var span = new Span(activity.Source.Name, name, activity.Kind, activity.StartTimeUtc.Ticks, activity.Duration.Ticks);
        lock (_gate)
        {
            _spans.Add(span);
        }
    }

    /// <summary>Prints the typical idle event's spans in the order they start.</summary>
    public void Print(TextWriter output)
    {
        List<Span> spans;
        lock (_gate)
        {
            spans = [.. _spans.OrderBy(s => s.Start)];
        }

        var anchors = spans
            .Where(s => s.Kind == ActivityKind.Server && s.Source == "Microsoft.AspNetCore" && s.Name == TriggerRequest)
            .Select(s => s.Start)
            .ToList();
        if (anchors.Count == 0)
        {
            output.WriteLine("[timeline] no trigger request was seen; nothing to show");
            return;
        }

        var places = new Dictionary<string, (List<double> Starts, List<double> Durations)>(StringComparer.Ordinal);
        var next = 0;
        for (var i = 0; i < anchors.Count; i++)
        {
            var from = anchors[i];
            var to = i + 1 < anchors.Count ? anchors[i + 1] : long.MaxValue;
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (; next < spans.Count && spans[next].Start < to; next++)
            {
                var span = spans[next];
                if (span.Start < from)
                {
                    continue;
                }

                var name = $"{span.Source}: {span.Name} ({span.Kind})";
                var nth = seen[name] = seen.GetValueOrDefault(name) + 1;
                var key = nth == 1 ? name : $"{name} #{nth}";
                if (!places.TryGetValue(key, out var place))
                {
                    places[key] = place = ([], []);
                }

                place.Starts.Add(TimeSpan.FromTicks(span.Start - from).TotalMilliseconds);
                place.Durations.Add(TimeSpan.FromTicks(span.Duration).TotalMilliseconds);
            }
        }

        output.WriteLine($"[timeline] spans of {anchors.Count} idle events: median start after the trigger request's start, +median duration (ms)");
        foreach (var (name, place) in places.OrderBy(p => Median(p.Value.Starts)))
        {
            // Spans most events did not have are background work (stream polling, sweepers, membership), not the event's path.
            if (place.Starts.Count * 2 < anchors.Count)
            {
                continue;
            }

            output.WriteLine($"[timeline] {Median(place.Starts),8:0.00} +{Median(place.Durations),7:0.00}  {name} [{place.Starts.Count}]");
        }
    }

    /// <summary>A statement's first words, enough to tell the store's statements apart.</summary>
    private static string Shorten(string sql)
    {
        var text = string.Join(' ', sql.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 90 ? text : text[..90] + "...";
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private readonly record struct Span(string Source, string Name, ActivityKind Kind, long Start, long Duration);
}
