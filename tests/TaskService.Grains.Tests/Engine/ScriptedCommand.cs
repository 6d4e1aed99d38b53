using System.Collections.Concurrent;
using System.Text.Json;
using TaskService.Commands;
using TaskService.Serialization;

namespace TaskService.Grains.Tests.Engine;

/// <summary>
/// The command of topic <c>scripted</c>: each test scripts it by the instance's variable <c>script</c>, a key into
/// <see cref="Scripts"/>. It counts its calls, fails while its script says so, and sets the variable <c>scriptedRuns</c>.
/// </summary>
public sealed class ScriptedCommand : IExternalTaskCommand
{
    public const string TopicName = "scripted";

    public static ConcurrentDictionary<string, Script> Scripts { get; } = new();

    public string Topic => TopicName;

    public Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken)
    {
        var script = Scripts[context.Variables["script"].GetString()!];
        var call = Interlocked.Increment(ref script.Calls);
        if (call <= script.FailTimes || script.AlwaysFail)
        {
            throw new InvalidOperationException($"scripted failure {call}");
        }

        IReadOnlyDictionary<string, JsonElement> result = new Dictionary<string, JsonElement> { ["scriptedRuns"] = JsonElementFactory.From(call) };
        return Task.FromResult(result);
    }

    public sealed class Script
    {
        public int FailTimes { get; init; }

        public volatile bool AlwaysFail;

        public int Calls;
    }
}
