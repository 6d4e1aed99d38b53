using System.Globalization;

namespace TaskService.Benchmarks;

/// <summary>
/// The whole machine's CPU time, busy and in all, from the first line of <c>/proc/stat</c> (Linux): the difference of two
/// readings says how busy the machine was in between, whoever used it (the silo, PostgreSQL, the load process, the kernel).
/// </summary>
internal readonly record struct MachineCpu(long BusyTicks, long TotalTicks)
{
    /// <summary>The counters so far, or null when they cannot be read (not Linux).</summary>
    public static MachineCpu? Read()
    {
        string line;
        try
        {
            using var reader = new StreamReader("/proc/stat");
            line = reader.ReadLine() ?? "";
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; guest time is counted in user already.
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 8 || fields[0] != "cpu")
        {
            return null;
        }

        var ticks = fields.Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = ticks.Sum();
        var idle = ticks[3] + ticks[4];
        return new MachineCpu(total - idle, total);
    }

    /// <summary>The share of the machine that was busy from <paramref name="before"/> to this reading.</summary>
    public double? BusyShareSince(MachineCpu before) =>
        TotalTicks > before.TotalTicks ? (double)(BusyTicks - before.BusyTicks) / (TotalTicks - before.TotalTicks) : null;
}

/// <summary>What the open-loop phase cost: the silo's and PostgreSQL's CPU, and how busy the whole machine was.</summary>
/// <param name="SiloCpu">This process's CPU time (the silo's) during the phase.</param>
/// <param name="ServerCpu">PostgreSQL's CPU time during the phase (<see cref="Benchmarks.ServerCpu"/>), when it was read.</param>
/// <param name="MachineBusyShare">The share of all cores busy during the phase, when it was read.</param>
/// <param name="WorkItems">Thread-pool work items this process completed during the phase.</param>
internal sealed record PhaseCpu(TimeSpan SiloCpu, TimeSpan? ServerCpu, double? MachineBusyShare, long WorkItems);
