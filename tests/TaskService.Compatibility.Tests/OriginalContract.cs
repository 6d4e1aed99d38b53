using System.Text.Json.Nodes;

namespace TaskService.Compatibility.Tests;

/// <summary>
/// The original's published contract (<c>services/task-service/openapi.json</c> of @sourceloop/task-service, unchanged): its
/// operations, permission codes and response schemas, strict (<c>additionalProperties: false</c> as published).
/// </summary>
public static class OriginalContract
{
    public static JsonNode Document { get; } = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "original-openapi.json")))!;

    public static OpenApiContract Strict { get; } = new(Document);

    /// <summary>The permission codes the original's operation lists (its description's table).</summary>
    public static IReadOnlyList<string> Permissions(string method, string template)
    {
        var description = Document["paths"]![template]![method.ToLowerInvariant()]!["description"]?.GetValue<string>() ?? "";
        return description.Split('\n')
            .Select(line => line.Trim().Trim('|').Trim())
            .Where(cell => cell.Length > 0 && cell != "Permissions" && !cell.StartsWith("---", StringComparison.Ordinal))
            .ToArray();
    }

    /// <summary>Checks <paramref name="body"/> against one of the original's models (components).</summary>
    public static void AssertComponentMatches(string component, string body)
    {
        var errors = Strict.Validate($"original {component}", Strict.Component(component), body);
        Assert.True(errors.Count == 0, $"Our answer does not satisfy the original's {component}:\n{string.Join('\n', errors)}\n{body}");
    }

    /// <summary>Checks <paramref name="body"/> against the schema the original declares for the operation's answer.</summary>
    public static void AssertBodyMatches(string method, string template, string status, string body)
    {
        var schema = Document["paths"]![template]![method.ToLowerInvariant()]!["responses"]![status]!["content"]!["application/json"]!["schema"]!.AsObject();
        var errors = Strict.Validate($"original {method} {template} {status}", (JsonObject)schema.DeepClone(), body);
        Assert.True(errors.Count == 0, $"Our answer does not satisfy the original's schema:\n{string.Join('\n', errors)}\n{body}");
    }
}
