using System.Diagnostics;
using System.Text;

namespace TaskService.Testing.Durability;

/// <summary>
/// A silo or gateway process started from its built dll (<c>dotnet src/{Silo|Gateway}/bin/.../TaskService.*.dll</c>), with all of
/// its output kept for failure messages. <see cref="Kill"/> is a crash: SIGKILL on Linux, no shutdown code runs.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private NodeProcess(string name, Process process, string httpUrl)
    {
        Name = name;
        _process = process;
        HttpUrl = httpUrl;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>A name for messages, such as "silo A".</summary>
    public string Name { get; }

    /// <summary>The base URL of its HTTP API.</summary>
    public string HttpUrl { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything it printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The dll of a host project as scripts/test.sh built it; fails with a clear message when it is missing.</summary>
    public static string BuiltDll(string project)
    {
        var dll = Path.Combine(RepositoryRoot.Path, "src", project, "bin", RepositoryRoot.Configuration, "net10.0", $"TaskService.{project}.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"{dll} is missing: build the solution first (scripts/test.sh does: dotnet build TaskService.sln).");
        }

        return dll;
    }

    public static NodeProcess Start(string name, string project, string httpUrl, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [BuiltDll(project)])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Nothing of the test runner's environment that configures ASP.NET Core or Orleans leaks into the node.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
                     || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)
                     || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                     || k.StartsWith("Orleans__", StringComparison.Ordinal)
                     || k.StartsWith("TaskService__", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet could not be started for {name}.");
        return new NodeProcess(name, process, httpUrl);
    }

    /// <summary>Waits until <c>/health/ready</c> answers 2xx; fails with the output when the process exits or the deadline passes.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync($"{HttpUrl}/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    /// <summary>Crashes the process: SIGKILL (on Linux) to it and its children, then waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Append($"---- {Name} killed (SIGKILL) ----");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
