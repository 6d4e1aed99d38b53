using System.Text.Json;
using TaskService.Commands;
using TaskService.Serialization;

namespace TaskService.Grains.Tests.Engine;

/// <summary>
/// The README's example of an application's own command: topic <c>read-data</c> reads what the workflow needs (here, from the
/// variable <c>customer</c>) and sets the variable <c>tasks</c> that a following <c>create-tasks</c> step turns into tasks.
/// </summary>
public sealed class ReadDataCommand : IExternalTaskCommand
{
    public string Topic => "read-data";

    public Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken)
    {
        var customer = context.Variables["customer"].GetString();
        var tasks = new
        {
            values = new[]
            {
                new { key = $"onboard-{customer}", name = $"Onboard {customer}", priority = "high" },
                new { key = $"welcome-{customer}", name = $"Welcome {customer}", priority = "low" },
            },
        };

        IReadOnlyDictionary<string, JsonElement> variables = new Dictionary<string, JsonElement> { ["tasks"] = JsonElementFactory.From(tasks) };
        return Task.FromResult(variables);
    }
}
