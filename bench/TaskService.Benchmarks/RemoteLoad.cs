using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace TaskService.Benchmarks;

/// <summary>
/// The benchmark's side of <see cref="LoadProcess"/>: starts it, relays its progress lines, and sends it one command at a time.
/// </summary>
internal sealed class RemoteLoad : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Task _reading;
    private TaskCompletionSource<string> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RemoteLoad(Process process)
    {
        _process = process;
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>The receiver's URL, to subscribe to.</summary>
    public string ReceiverUrl { get; private set; } = "";

    public static async Task<RemoteLoad> StartAsync(
        Uri siloUrl, string token, BenchmarkDatabase database, string runId, string eventKey, int capacity, TimeSpan deadline, int connections)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable."))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            LoadProcess.Flag, siloUrl.ToString(), token, database.ConnectionString, database.Name, runId, eventKey,
            capacity.ToString(CultureInfo.InvariantCulture), deadline.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            connections.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        // A lighter GC for the load than the silo's: it is not what is measured. Its thread pool runs at .NET's defaults whatever
        // the silo's settings are (their spinning keeps the clients sending as fast as the silo answers), so that a setting tried
        // on the silo changes the silo alone: this executable's runtime settings are the silo's, so the spin limit they set to
        // 0 is set back to .NET's default of 70, which the runtime reads from this variable as hexadecimal.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0x46";
        var load = new RemoteLoad(Process.Start(start) ?? throw new InvalidOperationException("The load process did not start."));
        var ready = await load.WaitAnswerAsync();
        load.ReceiverUrl = ready.GetProperty("receiver").GetString()!;
        return load;
    }

    public async Task UseSecretAsync(string secret) => await SendAsync(new LoadCommand("secret", Secret: secret));

    /// <summary>A closed-loop phase (<paramref name="rate"/> null) or an open-loop one; see <see cref="LoadDriver"/>.</summary>
    public async Task<PhaseResult> RunAsync(string name, int start, int count, int concurrency, bool awaitDelivery, bool quiet = false, double? rate = null)
    {
        var answer = await SendAsync(new LoadCommand("run", Name: name, Start: start, Count: count, Concurrency: concurrency, AwaitDelivery: awaitDelivery, Quiet: quiet, Rate: rate));
        return answer.Deserialize<PhaseResult>(LoadProcess.Json)!;
    }

    public async Task<DeliveryCounts> CountsAsync() => (await SendAsync(new LoadCommand("counts"))).Deserialize<DeliveryCounts>(LoadProcess.Json)!;

    private async Task<JsonElement> SendAsync(LoadCommand command)
    {
        await _gate.WaitAsync();
        try
        {
            _answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command, LoadProcess.Json));
            await _process.StandardInput.FlushAsync();
            return await WaitAnswerAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<JsonElement> WaitAnswerAsync()
    {
        var text = await _answer.Task;
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(LoadProcess.AnswerPrefix, StringComparison.Ordinal))
            {
                _answer.TrySetResult(line[LoadProcess.AnswerPrefix.Length..]);
            }
            else
            {
                Console.WriteLine(line);
            }
        }

        _answer.TrySetException(new InvalidOperationException($"The load process ended (exit code {(_process.HasExited ? _process.ExitCode : -1)})."));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(new LoadCommand("exit"), LoadProcess.Json));
                await _process.StandardInput.FlushAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _process.Dispose();
            _gate.Dispose();
        }
    }
}
