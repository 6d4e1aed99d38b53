using System.Text.Json;
using TaskService.Commands;
using TaskService.Serialization;

namespace TaskService.Grains.Tests.Engine;

/// <summary>Runs the silo's <c>create-tasks</c> command directly, as a workflow step would, for tests of what it writes.</summary>
public static class CreateTasksStep
{
    /// <summary>Runs the step and returns the ids of the tasks it reports.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(ClusterFixture fixture, ExternalTaskContext context)
    {
        var command = fixture.SiloService<IEnumerable<IExternalTaskCommand>>().OfType<CreateTasksCommand>().Single();
        var result = await command.ExecuteAsync(context, CancellationToken.None);
        return [.. result["createdTaskIds"].EnumerateArray().Select(id => id.GetString()!)];
    }

    /// <summary>A new external task of a new instance whose variable <c>tasks</c> lists these keys and names.</summary>
    public static ExternalTaskContext Context(params (string Key, string Name)[] tasks) => new(
        $"external-{Guid.NewGuid():N}",
        CommandTopics.CreateTasks,
        $"instance-{Guid.NewGuid():N}",
        new Dictionary<string, JsonElement>
        {
            ["tasks"] = JsonElementFactory.From(new { values = tasks.Select(t => new { key = t.Key, name = t.Name }) }),
        });
}
