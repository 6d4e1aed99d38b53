using System.Text.Json;

namespace TaskService.Benchmarks;

/// <summary>
/// The load driver and the webhook receiver, in a process of their own (this program started with <see cref="Flag"/>), so that
/// the benchmark's process holds the silo alone and its CPU, allocation, GC and exception figures are the service's. The
/// benchmark sends one command per line on standard input (<see cref="LoadCommand"/>) and reads progress lines from standard
/// output, where each command's answer is one line starting with <see cref="AnswerPrefix"/>.
/// </summary>
internal static class LoadProcess
{
    public const string Flag = "--load-process";

    public const string AnswerPrefix = "\u0001answer ";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <param name="args">
    /// After <see cref="Flag"/>: the silo's base address, an admin token, the benchmark database's connection string and name,
    /// the run id, the event key, the delivery log's capacity, the delivery deadline in seconds and the most concurrent clients.
    /// </param>
    public static async Task<int> RunAsync(string[] args)
    {
        var (siloUrl, token, connectionString, databaseName, runId, eventKey) = (args[1], args[2], args[3], args[4], args[5], args[6]);
        var capacity = int.Parse(args[7], System.Globalization.CultureInfo.InvariantCulture);
        var deadline = TimeSpan.FromSeconds(double.Parse(args[8], System.Globalization.CultureInfo.InvariantCulture));
        var connections = int.Parse(args[9], System.Globalization.CultureInfo.InvariantCulture);

        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The benchmark's process is interrupted too; it tells what was measured. The phase running here ends early.
            e.Cancel = true;
            interrupted.Cancel();
        };

        var log = new DeliveryLog(capacity);
        var database = new BenchmarkDatabase(connectionString, connectionString, databaseName);
        await using var receiver = new WebhookReceiver(log);
        await receiver.StartAsync();
        using var api = new TaskServiceApi(TaskServiceApi.CreateClient(new Uri(siloUrl), token, connections));
        Answer(new { receiver = receiver.Url });

        while (await Console.In.ReadLineAsync() is { } line)
        {
            var command = JsonSerializer.Deserialize<LoadCommand>(line, Json)!;
            switch (command.Op)
            {
                case "secret":
                    receiver.UseSecret(command.Secret!);
                    Answer(new { });
                    break;
                case "run":
                    var driver = new LoadDriver(api, database, log, runId, eventKey, command.Concurrency, command.AwaitDelivery, deadline);
                    Answer(command.Rate is { } rate
                        ? await driver.RunOpenLoopAsync(command.Name!, command.Start, command.Count, rate, interrupted.Token)
                        : await driver.RunAsync(command.Name!, command.Start, command.Count, interrupted.Token, command.Quiet));
                    break;
                case "counts":
                    Answer(new DeliveryCounts(log.Duplicates, log.BadSignatures, log.Unknown));
                    break;
                case "exit":
                    return 0;
                default:
                    Console.Error.WriteLine($"unknown command {command.Op}");
                    return 2;
            }
        }

        return 0;
    }

    private static void Answer<T>(T value) => Console.WriteLine(AnswerPrefix + JsonSerializer.Serialize(value, Json));
}

/// <summary>One command to <see cref="LoadProcess"/>: <c>secret</c>, <c>run</c> (closed loop, or open loop with a rate), <c>counts</c>, <c>exit</c>.</summary>
internal sealed record LoadCommand(
    string Op,
    string? Secret = null,
    string? Name = null,
    int Start = 0,
    int Count = 0,
    int Concurrency = 1,
    bool AwaitDelivery = false,
    bool Quiet = false,
    double? Rate = null);

/// <summary>What the receiver saw besides first deliveries.</summary>
internal sealed record DeliveryCounts(int Duplicates, int BadSignatures, int Unknown);
