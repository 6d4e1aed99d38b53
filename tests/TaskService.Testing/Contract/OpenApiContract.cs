using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace TaskService.Testing;

/// <summary>
/// Checks HTTP answers against an OpenAPI document (3.0 or 3.1): the operation exists, the status is declared, and a JSON body
/// satisfies the declared schema, evaluated as JSON Schema 2020-12 with the document's components as <c>$defs</c>
/// (OpenAPI 3.0's <c>nullable</c> becomes a <c>"null"</c> type).
/// </summary>
public sealed class OpenApiContract
{
    private const string ComponentsPrefix = "#/components/schemas/";
    private readonly JsonObject _paths;
    private readonly JsonObject _schemas;
    private readonly bool _ignoreAdditionalProperties;
    private readonly List<(string Template, Regex Pattern, int Parameters)> _templates;
    private readonly ConcurrentDictionary<string, JsonSchema> _compiled = new(StringComparer.Ordinal);

    /// <param name="document">The OpenAPI document.</param>
    /// <param name="ignoreAdditionalProperties">Let objects carry properties their schema does not declare.</param>
    public OpenApiContract(JsonNode document, bool ignoreAdditionalProperties = false)
    {
        _paths = document["paths"]!.AsObject();
        _schemas = document["components"]?["schemas"]?.AsObject() ?? [];
        _ignoreAdditionalProperties = ignoreAdditionalProperties;
        _templates = _paths.Select(p => (p.Key, new Regex("^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{[^/]+?}", "[^/]+") + "$"), p.Key.Count(c => c == '{'))).ToList();
    }

    /// <summary>The path template of the document that <paramref name="path"/> falls under, the most literal first.</summary>
    public string? FindTemplate(string method, string path)
    {
        // Routing treats "/tasks/" as "/tasks".
        path = path.Length > 1 ? path.TrimEnd('/') : path;
        return _templates
        .Where(t => t.Pattern.IsMatch(path) && _paths[t.Template]![method.ToLowerInvariant()] is not null)
        .OrderBy(t => t.Parameters)
        .Select(t => t.Template)
        .FirstOrDefault();
    }

    public JsonObject? FindOperation(string method, string path) =>
        FindTemplate(method, path) is { } template ? _paths[template]![method.ToLowerInvariant()]!.AsObject() : null;

    /// <summary>Every way the answer differs from the document; empty when it holds.</summary>
    public IReadOnlyList<string> ValidateResponse(string method, string path, int status, string? mediaType, string body)
    {
        var template = FindTemplate(method, path);
        if (template is null)
        {
            return [$"{method} {path}: the document has no such operation."];
        }

        var name = $"{method} {template} {status}";
        var responses = _paths[template]![method.ToLowerInvariant()]!["responses"]?.AsObject();
        var response = responses?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] ?? responses?["default"];
        if (response is null)
        {
            return [$"{name}: the status is not declared (declared: {string.Join(", ", responses?.Select(r => r.Key) ?? [])})."];
        }

        if (string.IsNullOrEmpty(body))
        {
            return [];
        }

        var content = response["content"]?.AsObject();
        if (content is null || content.Count == 0)
        {
            return [$"{name}: a body was sent ({mediaType}) but the document declares none."];
        }

        var declared = content.FirstOrDefault(c => c.Key == mediaType).Value ?? (content.Count == 1 && IsJson(mediaType) && IsJson(content.First().Key) ? content.First().Value : null);
        if (declared is null)
        {
            return [$"{name}: the body is {mediaType}, the document declares {string.Join(", ", content.Select(c => c.Key))}."];
        }

        if (!IsJson(mediaType) || declared["schema"] is not JsonObject schema)
        {
            return [];
        }

        if (schema.Count == 0)
        {
            return [$"{name}: the declared schema is empty ({{}}), which describes nothing."];
        }

        return Validate(name, schema, body);
    }

    /// <summary>Validates <paramref name="body"/> against a schema of the document (refs to its components resolve).</summary>
    public IReadOnlyList<string> Validate(string name, JsonObject schema, string body)
    {
        var compiled = _compiled.GetOrAdd(schema.ToJsonString(), _ => Compile(schema));
        JsonNode? instance;
        try
        {
            instance = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            return [$"{name}: the body is not JSON: {ex.Message}"];
        }

        var results = compiled.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        return results.Details.Append(results)
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{name}: at '{d.InstanceLocation}' ({d.EvaluationPath}): {e.Value}"))
            .Distinct()
            .Take(10)
            .ToArray();
    }

    /// <summary>The schema of a component, for checks outside a response.</summary>
    public JsonObject Component(string name) => new() { ["$ref"] = ComponentsPrefix + name };

    private static bool IsJson(string? mediaType) => mediaType is not null && (mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal));

    private JsonSchema Compile(JsonObject schema)
    {
        var root = (JsonObject)schema.DeepClone();
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        root["$defs"] = _schemas.DeepClone();
        Adjust(root);
        var text = root.ToJsonString().Replace("\"" + ComponentsPrefix, "\"#/$defs/", StringComparison.Ordinal);
        return JsonSchema.FromText(text);
    }

    /// <summary>OpenAPI 3.0 <c>nullable</c> as a JSON Schema type; <c>additionalProperties: false</c> dropped when asked.</summary>
    private void Adjust(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["nullable"] is JsonValue nullable && nullable.GetValue<bool>() && obj["type"] is JsonValue type)
                {
                    obj["type"] = new JsonArray(type.GetValue<string>(), "null");
                }

                obj.Remove("nullable");
                if (_ignoreAdditionalProperties && obj["additionalProperties"] is JsonValue additional && !additional.GetValue<bool>())
                {
                    obj.Remove("additionalProperties");
                }

                // OpenAPI keywords that are no JSON Schema keywords, and formats no validator here knows, are left alone.
                foreach (var (_, child) in obj.ToArray())
                {
                    Adjust(child);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Adjust(item);
                }

                break;
        }
    }
}
