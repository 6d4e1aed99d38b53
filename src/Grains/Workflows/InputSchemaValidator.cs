using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using TaskService.Errors;

namespace TaskService.Workflows;

/// <summary>Checks workflow input schemas, and inputs against them (JSON Schema 2020-12 unless the schema says otherwise).</summary>
public static class InputSchemaValidator
{
    /// <summary>Throws a 400 naming the problem when <paramref name="schema"/> is not a usable JSON Schema.</summary>
    public static void EnsureValidSchema(JsonElement schema)
    {
        if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            throw TaskServiceException.Invalid("inputSchema", "'inputSchema' must be a JSON Schema: an object (or true/false).");
        }

        var node = JsonNode.Parse(schema.GetRawText());
        var meta = MetaSchemas.Draft202012.Evaluate(node, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!meta.IsValid)
        {
            throw new TaskServiceException(TaskServiceErrorKind.Invalid, "'inputSchema' is not a valid JSON Schema.", "inputSchema", Violations(meta, "inputSchema"));
        }

        try
        {
            JsonSchema.FromText(schema.GetRawText());
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException or InvalidOperationException)
        {
            throw TaskServiceException.Invalid("inputSchema", $"'inputSchema' is not a valid JSON Schema: {exception.Message}");
        }
    }

    /// <summary>Throws a 400 listing every violation when <paramref name="input"/> does not satisfy <paramref name="schema"/>.</summary>
    public static void Validate(JsonElement schema, JsonElement input)
    {
        if (schema.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return;
        }

        var compiled = JsonSchema.FromText(schema.GetRawText());
        var results = compiled.Evaluate(JsonNode.Parse(input.GetRawText()), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            var violations = Violations(results, "input");
            throw new TaskServiceException(TaskServiceErrorKind.Invalid,
                $"'input' does not satisfy the workflow's inputSchema: {string.Join("; ", violations.Select(v => $"{v.Key}: {string.Join(", ", v.Value)}"))}",
                "input", violations);
        }
    }

    private static Dictionary<string, string[]> Violations(EvaluationResults results, string root)
    {
        var violations = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var detail in results.Details.Append(results))
        {
            if (detail.Errors is not { Count: > 0 } errors)
            {
                continue;
            }

            var location = root + detail.InstanceLocation;
            if (!violations.TryGetValue(location, out var list))
            {
                violations[location] = list = [];
            }

            list.AddRange(errors.Select(e => $"{e.Value} ({e.Key})").Where(e => !list.Contains(e)));
        }

        if (violations.Count == 0)
        {
            violations[root] = ["does not satisfy the schema"];
        }

        return violations.ToDictionary(v => v.Key, v => v.Value.ToArray(), StringComparer.Ordinal);
    }
}
