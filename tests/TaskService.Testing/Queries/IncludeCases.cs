using System.Text.Json;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Workflows;

namespace TaskService.Testing.Queries;

/// <summary>
/// <c>include</c> filters over the shared dataset (<see cref="FilterCases.Tasks"/> with <see cref="FilterCases.UserTasks"/>, and
/// <see cref="Workflows"/>), and what each returns, written <c>parent:related,related|parent:-</c>; every store must agree.
/// </summary>
public static class IncludeCases
{
    public static IReadOnlyList<WorkflowAggregate> Workflows { get; } =
    [
        CreateWorkflow("w1", "first", 3),
        CreateWorkflow("w2", "second", 1),
    ];

    public static IReadOnlyList<Case> Cases { get; } =
    [
        new("user tasks of each task", EntityKind.Task, """{"where":{"id":{"inq":["t01","t02","t03"]}},"include":["userTasks"]}""", "t01:u01,u02,u03|t02:u04|t03:-"),
        new("include as one string", EntityKind.Task, """{"where":{"id":"t12"},"include":"userTasks"}""", "t12:u05"),
        new("include as an object without scope", EntityKind.Task, """{"where":{"key":"review"},"include":[{"relation":"userTasks"}]}""", "t01:u01,u02,u03|t02:u04"),
        new("scope where and order", EntityKind.Task,
            """{"where":{"key":"review"},"include":[{"relation":"userTasks","scope":{"where":{"status":"pending"},"order":"name DESC"}}]}""", "t01:u02,u03|t02:u04"),
        new("scope limit and skip apply to each parent", EntityKind.Task,
            """{"where":{"key":"review"},"include":[{"relation":"userTasks","scope":{"skip":1,"limit":1}}]}""", "t01:u02|t02:-"),
        new("parent paging before include", EntityKind.Task, """{"order":"createdOn DESC","limit":2,"include":["userTasks"]}""", "t12:u05|t11:-"),
        new("versions of each workflow", EntityKind.Workflow, """{"include":["workflowVersions"]}""", "w1:1,2,3|w2:1"),
        new("version scope", EntityKind.Workflow,
            """{"include":[{"relation":"workflowVersions","scope":{"where":{"version":{"gte":2}},"order":"version DESC","limit":1}}]}""", "w1:3|w2:-"),
    ];

    public static TheoryData<string> CaseNames() => new(Cases.Select(c => c.Name));

    public static Case Get(string name) => Cases.Single(c => c.Name == name);

    /// <summary>Writes the dataset into <paramref name="store"/>.</summary>
    public static async Task SeedAsync(ITaskServiceStore store)
    {
        foreach (var aggregate in FilterCases.Aggregates())
        {
            await store.SaveTaskAsync(aggregate, []);
        }

        foreach (var workflow in Workflows)
        {
            await store.SaveWorkflowAsync(workflow);
        }
    }

    /// <summary>Rows as <c>parent:related,...</c>: ids of user tasks, version numbers of workflow versions.</summary>
    public static string Describe(IEnumerable<JsonElement> rows, string relation) => string.Join('|', rows.Select(row =>
    {
        var related = row.TryGetProperty(relation, out var items)
            ? string.Join(',', items.EnumerateArray().Select(i => i.TryGetProperty("id", out var id) ? id.GetString() : i.GetProperty("version").GetRawText()))
            : "-";
        return $"{row.GetProperty("id").GetString()}:{related}";
    }));

    public static string RelationOf(EntityKind kind) => kind == EntityKind.Task ? "userTasks" : "workflowVersions";

    private static WorkflowAggregate CreateWorkflow(string id, string name, int versions)
    {
        var created = DateTimeOffset.Parse("2024-02-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).AddDays(id == "w1" ? 0 : 1);
        return new WorkflowAggregate(
            new WorkflowRecord
            {
                Id = id,
                Name = name,
                ExternalIdentifier = name + "-process",
                Provider = "bpmn",
                WorkflowVersion = versions,
                InputSchema = JsonElementFactory.Parse("""{"type":"object"}"""),
                CreatedOn = created,
                ModifiedOn = created,
            },
            Enumerable.Range(1, versions).Select(v => new WorkflowVersionRecord
            {
                WorkflowId = id,
                Version = v,
                BpmnDiagram = $"<definitions id=\"{id}-{v}\"/>",
                ExternalWorkflowId = $"{name}-process:{v}",
                InputSchema = JsonElementFactory.Parse("""{"type":"object"}"""),
                CreatedOn = created.AddHours(v),
            }).ToArray());
    }

    public sealed record Case(string Name, EntityKind Kind, string FilterJson, string Expected)
    {
        public override string ToString() => Name;
    }
}
