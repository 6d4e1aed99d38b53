using System.Globalization;

namespace TaskService.ConnectorBenchmarks;

/// <summary>The body of benchmark event <c>n</c>: its number, its event type (one of the benchmark's keys) and one task to create.</summary>
internal static class BenchmarkEvents
{
    public static string Body(int n, int keys) => string.Create(CultureInfo.InvariantCulture,
        $$$"""{"n":{{{n}}},"type":"bench-{{{n % keys}}}","tasks":{"values":[{"key":"bench-task","name":"Task {{{n}}}"}]}}""");

    /// <summary>The keys events are spread over when there is more than one: the <c>type</c> field of the body.</summary>
    public static IReadOnlyList<string> Keys(int keys) => Enumerable.Range(0, keys).Select(k => $"bench-{k}").ToArray();
}
