using System.Globalization;

namespace TaskService.Benchmarks;

/// <summary>
/// CPU time of the PostgreSQL server the benchmark runs on (Linux): its postmaster, the processes it runs now (backends,
/// WAL writer, checkpointer, autovacuum) and those it already reaped, read from <c>/proc</c>. The difference of two readings
/// is what the server spent in between, so that a run can say how much of the machine the database took per event.
/// </summary>
internal static class ServerCpu
{
    // The kernel reports process times in clock ticks of USER_HZ, which is 100 on Linux whatever the kernel's own tick.
    private const double TicksPerSecond = 100;

    /// <summary>The server's CPU time so far, or null when it cannot be read (no such process, not Linux).</summary>
    public static TimeSpan? Read(int postmasterPid)
    {
        var postmaster = Stat(postmasterPid);
        if (postmaster is null)
        {
            return null;
        }

        // utime + stime of the postmaster, cutime + cstime of its reaped children, and utime + stime of its live ones.
        var ticks = postmaster[13] + postmaster[14] + postmaster[15] + postmaster[16];
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != postmasterPid && Stat(pid) is { } child && child[3] == postmasterPid)
            {
                ticks += child[13] + child[14];
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>
    /// The numeric fields of <c>/proc/PID/stat</c> by their index (0-based as in proc(5) minus one: 3 is the parent, 13 to 16
    /// the times); the command name, which may hold spaces, is skipped. Null when the process is gone.
    /// </summary>
    private static long[]? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var values = new long[fields.Length + 2];
        for (var i = 0; i < fields.Length; i++)
        {
            // Field i here is proc(5)'s field i + 3 (pid and comm come first); the state is not a number.
            values[i + 2] = long.TryParse(fields[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;
        }

        return values;
    }
}
