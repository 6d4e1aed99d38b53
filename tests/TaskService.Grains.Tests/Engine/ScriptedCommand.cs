using System.Collections.Concurrent;
using System.Text.Json;
using TaskService.Commands;
using TaskService.Serialization;

namespace TaskService.Grains.Tests.Engine;

/// <summary>
/// The command of topic <c>scripted</c>: each test scripts it by the instance's variable <c>script</c>, a key into
/// <see cref="Scripts"/>. It counts its calls, waits while its script holds it, fails while its script says so, and sets the variable <c>scriptedRuns</c>.
/// </summary>
public sealed class ScriptedCommand : IExternalTaskCommand
{
    public const string TopicName = "scripted";

    public static ConcurrentDictionary<string, Script> Scripts { get; } = new();

    public string Topic => TopicName;

    public async Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken)
    {
        var script = Scripts[context.Variables["script"].GetString()!];
        var call = Interlocked.Increment(ref script.Calls);
        if (script.Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        if (call <= script.FailTimes || script.AlwaysFail)
        {
            throw new InvalidOperationException($"scripted failure {call}");
        }

        return new Dictionary<string, JsonElement> { ["scriptedRuns"] = JsonElementFactory.From(call) };
    }

    public sealed class Script
    {
        public int FailTimes { get; init; }

        public volatile bool AlwaysFail;

        /// <summary>When set, each call waits for it before it ends (a slow command).</summary>
        public TaskCompletionSource? Hold { get; init; }

        public int Calls;
    }
}
