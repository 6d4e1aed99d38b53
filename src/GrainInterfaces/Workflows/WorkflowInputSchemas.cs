using System.Text.Json;
using TaskService.Serialization;

namespace TaskService.Workflows;

/// <summary>Input schemas every workflow may have.</summary>
public static class WorkflowInputSchemas
{
    /// <summary>The schema of a workflow deployed without one, or whose schema a PATCH set to null: any JSON object.</summary>
    public static JsonElement Default { get; } = JsonElementFactory.Parse("""{"type":"object"}""");
}
