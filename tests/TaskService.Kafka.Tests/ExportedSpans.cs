using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;

namespace TaskService.Kafka.Tests;

/// <summary>The in-memory exporter's target: spans are added on the threads that end them while the test reads them.</summary>
public sealed class ExportedSpans : ICollection<Activity>
{
    private readonly ConcurrentQueue<Activity> _spans = new();

    public int Count => _spans.Count;

    public bool IsReadOnly => false;

    public void Add(Activity item) => _spans.Enqueue(item);

    public void Clear() => _spans.Clear();

    public bool Contains(Activity item) => _spans.Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => _spans.ToArray().CopyTo(array, arrayIndex);

    public bool Remove(Activity item) => throw new NotSupportedException("Exported spans are only added.");

    public IEnumerator<Activity> GetEnumerator() => ((IEnumerable<Activity>)_spans.ToArray()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
