using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TaskService.EndToEnd.Tests;

/// <summary>
/// The service started exactly as the README's quick start says, <c>dotnet run --project src/Silo</c>, from the repository root.
/// It serves HTTP on 127.0.0.1:5080 and Orleans clients on 127.0.0.1:30000.
/// </summary>
public sealed class ServiceProcess : IAsyncLifetime
{
    public const int HttpPort = 5080;
    public const int OrleansGatewayPort = 30000;

    private readonly StringBuilder _output = new();
    private Process? _process;

    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{HttpPort}");

    /// <summary>What the service printed so far, for failure messages.</summary>
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

    public async Task InitializeAsync()
    {
        foreach (var port in new[] { HttpPort, OrleansGatewayPort, 11111 })
        {
            if (!PortIsFree(port))
            {
                throw new InvalidOperationException($"Port {port} is in use; stop whatever listens there (a TaskService left running?) and run the tests again.");
            }
        }

        var start = new ProcessStartInfo("dotnet", ["run", "--project", "src/Silo"])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with code {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
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
                throw new TimeoutException($"The service was not ready within 3 minutes:\n{Output}");
            }

            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
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

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
