using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace TaskService.Testing;

/// <summary>
/// Warm-up rounds for a benchmark until the JIT settles. Tiered compilation takes hot methods from quick code through an
/// instrumented tier to optimized code in the background, which under full load takes many seconds; a run measured before
/// that measures the JIT and the slower code instead of the service. Each round sends a batch of events and waits for them
/// (the caller's delegate); the rounds stop when one spent under a given share of its time compiling, or at a bound.
/// </summary>
public static class JitWarmUp
{
    /// <summary>
    /// Runs rounds of <paramref name="roundEvents"/> events through <paramref name="round"/> (given the offset of the round's first
    /// event from <paramref name="firstId"/> on and the round's size; it answers how many events it sent and why it failed, if it
    /// did) until a round spent under <paramref name="settledShare"/> of its time in the JIT, or <paramref name="maxEvents"/>
    /// were sent. Prints one line per round: its rate in <paramref name="unit"/> per second and what the JIT compiled.
    /// </summary>
    /// <returns>The events sent, and why the warm-up failed if it did.</returns>
    public static async Task<(int Sent, string? Failure)> RunAsync(
        Func<int, int, Task<(int Sent, string? Failure)>> round,
        int firstId,
        int roundEvents,
        int maxEvents,
        double settledShare,
        string unit,
        TextWriter output,
        CancellationToken stopping)
    {
        var sent = 0;
        while (sent < maxEvents && roundEvents > 0 && !stopping.IsCancellationRequested)
        {
            var compiledBefore = JitInfo.GetCompiledMethodCount();
            var jitBefore = JitInfo.GetCompilationTime();
            var startedAt = Stopwatch.GetTimestamp();
            var (roundSent, failure) = await round(firstId + sent, roundEvents);
            sent += roundSent;
            if (failure is not null)
            {
                return (sent, failure);
            }

            var elapsed = Stopwatch.GetElapsedTime(startedAt);
            var jitShare = (JitInfo.GetCompilationTime() - jitBefore) / elapsed;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[warm-up] {sent,6} more events: {roundSent / elapsed.TotalSeconds,6:0} {unit}/s, the JIT compiled {JitInfo.GetCompiledMethodCount() - compiledBefore,5} methods in {jitShare:P1} of the time"));
            if (jitShare < settledShare)
            {
                break;
            }
        }

        return (sent, null);
    }
}
