using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using TaskService.Common;
using TaskService.Errors;

namespace TaskService.Workflows;

/// <summary>
/// Checks workflow input schemas, and inputs against them (JSON Schema 2020-12 unless the schema names another draft). A schema is
/// checked whole before it is stored (<see cref="InputSchemaStructure"/>), and again before each evaluation, so that one stored
/// before these checks existed cannot take the silo down either; its patterns never backtrack without a bound (<see cref="SafeRegex"/>).
/// </summary>
public static class InputSchemaValidator
{
    /// <summary>What makes <paramref name="schema"/> unusable as a JSON Schema, naming it; null when it is usable.</summary>
    public static Problem? SchemaProblem(JsonElement schema, LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            return Problem.Invalid("inputSchema", "'inputSchema' must be a JSON Schema: an object (or true/false).");
        }

        var checkedStructure = InputSchemaStructure.Check(schema, limits);
        if (!checkedStructure.IsOk)
        {
            return checkedStructure.Problem;
        }

        var metaSchema = checkedStructure.Value!.Draft switch
        {
            "2019-09" => MetaSchemas.Draft201909,
            "draft-07" => MetaSchemas.Draft7,
            "draft-06" => MetaSchemas.Draft6,
            _ => MetaSchemas.Draft202012,
        };
        var meta = metaSchema.Evaluate(JsonNode.Parse(schema.GetRawText()), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!meta.IsValid)
        {
            return new Problem(TaskServiceErrorKind.Invalid, "'inputSchema' is not a valid JSON Schema.", "inputSchema", Violations(meta, "inputSchema"));
        }

        return Compile(schema, limits, out _);
    }

    /// <summary>Every violation of <paramref name="schema"/> by <paramref name="input"/>, as one problem; null when it satisfies it.</summary>
    public static Problem? InputProblem(JsonElement schema, JsonElement input, LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (schema.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        var structure = InputSchemaStructure.Check(schema, limits);
        if (!structure.IsOk)
        {
            return structure.Problem;
        }

        var estimated = structure.Value!.EstimateEvaluations(input);
        switch (estimated)
        {
            case null:
                return Problem.Invalid("input", $"'input' nests deeper than {limits.MaxJsonDepth} levels (TaskService:Limits:MaxJsonDepth).");
            case > InputSchemaStructure.MaxEvaluationsPerInput and var estimate:
                return Problem.Invalid("input", string.Create(CultureInfo.InvariantCulture,
                    $"'input' is too large to check against the workflow's inputSchema: up to {estimate:0} subschema evaluations, the limit is {InputSchemaStructure.MaxEvaluationsPerInput:0}. Send fewer values, or simplify the schema's 'allOf', 'anyOf', 'oneOf' and '$ref' combinations."));
        }

        if (Compile(schema, limits, out var compiled) is { } unusable)
        {
            return unusable;
        }

        EvaluationResults results;
        try
        {
            // The quick verdict first; only an input that fails is evaluated again to list every violation.
            var instance = JsonNode.Parse(input.GetRawText());
            results = compiled.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.Flag });
            if (!results.IsValid && estimated <= InputSchemaStructure.MaxEvaluationsToListViolations)
            {
                results = compiled.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
            }
        }
        catch (RegexMatchTimeoutException exception)
        {
            return Problem.Invalid("input",
                $"'input' could not be checked against the workflow's inputSchema: matching the pattern '{exception.Pattern}' took longer than {limits.RegexMatchTimeout.TotalMilliseconds} ms (TaskService:Limits:RegexMatchTimeout); shorten the value or simplify the pattern.");
        }
        catch (InvalidOperationException)
        {
            return Problem.Invalid("input", "'input' has a string that is not valid Unicode (a lone UTF-16 surrogate).");
        }

        if (!results.IsValid)
        {
            var violations = Violations(results, "input");
            return new Problem(TaskServiceErrorKind.Invalid,
                $"'input' does not satisfy the workflow's inputSchema: {string.Join("; ", violations.Select(v => $"{v.Key}: {string.Join(", ", v.Value)}"))}",
                "input", violations);
        }

        return null;
    }

    private static Problem? Compile(JsonElement schema, LimitsOptions limits, out JsonSchema compiled)
    {
        try
        {
            compiled = JsonSchema.FromText(schema.GetRawText());
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            // JsonSchema.Net reports a schema it cannot read only by these exceptions, raised inside the library. Its messages name
            // its .NET types; say where, not what the parser thought.
            compiled = null!;
            var where = exception is JsonException { Path: { Length: > 0 } path } ? $" at {path}" : "";
            return Problem.Invalid("inputSchema", $"'inputSchema' is not a valid JSON Schema{where}.");
        }

        SchemaPatterns.MakeSafe(compiled, limits.RegexMatchTimeout);
        return null;
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
