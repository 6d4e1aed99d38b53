using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TaskService.Camunda.Tests.EngineRest;

/// <summary>
/// Checks requests and responses against the engine-rest description: the operation exists, every query parameter is declared and
/// of its type, and bodies match their schemas. The schema check covers the OpenAPI 3.0 subset the description uses: <c>$ref</c>,
/// <c>allOf</c>, <c>type</c>, <c>nullable</c>, <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>items</c>,
/// <c>enum</c>, <c>minimum</c> and the formats <c>int32</c>, <c>int64</c> and <c>date-time</c> (in Camunda's format
/// <c>yyyy-MM-dd'T'HH:mm:ss.SSSZ</c>, as the description states). It is stricter than JSON Schema in one way: an object property
/// the schema does not declare is a violation (a misspelled field would otherwise be silently ignored by the engine). And looser
/// in one: a bare <c>{"type": "object"}</c> (only <c>VariableValueDto.value</c>) accepts any value, null included, because the
/// description's own examples put strings, numbers and booleans there and a <c>Null</c> variable's value is null.
/// </summary>
public sealed partial class OpenApiValidator(OpenApiDescription description)
{
    public static OpenApiValidator Instance { get; } = new(OpenApiDescription.Instance);

    /// <summary>A JSON request (or one without a body).</summary>
    public IReadOnlyList<string> ValidateRequest(
        string method, string path, IEnumerable<KeyValuePair<string, string>> query, string? contentType, JsonElement? body, out OpenApiOperation? operation) =>
        ValidateRequest(method, path, query, contentType, body, null, out operation);

    /// <summary>A request; <paramref name="form"/> holds the text fields and file part names of a multipart body.</summary>
    public IReadOnlyList<string> ValidateRequest(
        string method, string path, IEnumerable<KeyValuePair<string, string>> query, string? contentType, JsonElement? body,
        MultipartForm? form, out OpenApiOperation? operation)
    {
        var errors = new List<string>();
        operation = description.FindOperation(method, path);
        if (operation is null)
        {
            errors.Add($"{method} {path}: the description has no such operation.");
            return errors;
        }

        var parameters = operation.Definition.TryGetProperty("parameters", out var declared)
            ? declared.EnumerateArray().ToArray()
            : [];
        var given = query.ToList();
        foreach (var (name, value) in given)
        {
            var parameter = parameters.FirstOrDefault(p => p.GetProperty("in").GetString() == "query" && p.GetProperty("name").GetString() == name);
            if (parameter.ValueKind == JsonValueKind.Undefined)
            {
                errors.Add($"{operation}: query parameter '{name}' is not declared.");
                continue;
            }

            ValidateParameter(parameter.GetProperty("schema"), value, $"query parameter '{name}'", errors);
        }

        foreach (var parameter in parameters.Where(p => p.TryGetProperty("required", out var r) && r.GetBoolean()))
        {
            var name = parameter.GetProperty("name").GetString()!;
            switch (parameter.GetProperty("in").GetString())
            {
                case "query" when given.All(g => g.Key != name):
                    errors.Add($"{operation}: required query parameter '{name}' is missing.");
                    break;
                case "path" when operation.PathValues.TryGetValue(name, out var value):
                    ValidateParameter(parameter.GetProperty("schema"), value, $"path parameter '{name}'", errors);
                    break;
            }
        }

        var hasBody = body is not null || form is not null;
        if (!operation.Definition.TryGetProperty("requestBody", out var requestBody))
        {
            if (hasBody)
            {
                errors.Add($"{operation}: the operation takes no request body, but one was sent.");
            }

            return Prefix(operation, errors);
        }

        if (!hasBody)
        {
            if (requestBody.TryGetProperty("required", out var required) && required.GetBoolean())
            {
                errors.Add($"{operation}: the request body is required.");
            }

            return Prefix(operation, errors);
        }

        var mediaType = contentType?.Split(';')[0].Trim().ToLowerInvariant() ?? string.Empty;
        if (!requestBody.GetProperty("content").TryGetProperty(mediaType, out var content))
        {
            errors.Add($"{operation}: content type '{contentType}' is not one the operation accepts ({string.Join(", ", requestBody.GetProperty("content").EnumerateObject().Select(c => c.Name))}).");
            return Prefix(operation, errors);
        }

        var schema = content.GetProperty("schema");
        if (form is not null)
        {
            ValidateForm(schema, form, errors);
        }
        else
        {
            ValidateSchema(schema, body!.Value, "$", errors);
        }

        return Prefix(operation, errors);
    }

    /// <summary>
    /// A response. An undocumented success status is a violation; error bodies are checked against <c>ExceptionDto</c> even where the
    /// description does not list the status (it omits some the engine answers with, such as 404 for a missing definition key).
    /// </summary>
    public IReadOnlyList<string> ValidateResponse(OpenApiOperation operation, int status, JsonElement? body)
    {
        var errors = new List<string>();
        var responses = operation.Definition.GetProperty("responses");
        var documented = responses.TryGetProperty(status.ToString(CultureInfo.InvariantCulture), out var response);
        if (!documented)
        {
            // An error status the description does not give for this operation is one a client reading the description cannot
            // expect: the test engine must answer as the description says.
            errors.Add($"{operation}: status {status} is not documented.");
            if (status < 400)
            {
                return errors;
            }
        }

        JsonElement schema;
        if (documented && response.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out var s))
        {
            schema = s;
        }
        else if (status >= 400)
        {
            schema = description.Resolve("#/components/schemas/ExceptionDto");
        }
        else
        {
            if (body is not null)
            {
                errors.Add($"{operation}: status {status} has no body in the description, but one was sent.");
            }

            return errors;
        }

        if (body is null)
        {
            errors.Add($"{operation}: status {status} must have a body.");
            return errors;
        }

        ValidateSchema(schema, body.Value, "$", errors);
        return errors.Select(e => $"{operation} answer {status}: {e}").ToArray();
    }

    public IReadOnlyList<string> ValidateSchema(JsonElement schema, JsonElement value)
    {
        var errors = new List<string>();
        ValidateSchema(schema, value, "$", errors);
        return errors;
    }

    public void ValidateSchema(JsonElement schema, JsonElement value, string at, List<string> errors, bool checkUnknown = true)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            ValidateSchema(description.Resolve(reference.GetString()!), value, at, errors, checkUnknown);
            return;
        }

        var type = schema.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type == "object" && !schema.TryGetProperty("properties", out _) && !schema.TryGetProperty("additionalProperties", out _) && !schema.TryGetProperty("allOf", out _))
        {
            return; // A bare object: any value, null included (see the class summary).
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            var nullable = schema.TryGetProperty("nullable", out var n) && n.GetBoolean();
            if (!nullable && type is not null)
            {
                errors.Add($"{at}: null is not allowed (type {type}, not nullable).");
            }

            return;
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var part in allOf.EnumerateArray())
            {
                ValidateSchema(part, value, at, errors, checkUnknown: false);
            }
        }

        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            errors.Add($"{at}: {value.GetRawText()} is not one of {allowed.GetRawText()}.");
        }

        switch (type)
        {
            case "object" or null when value.ValueKind == JsonValueKind.Object:
                ValidateObject(schema, value, at, errors, checkUnknown);
                return;
            case "object":
                errors.Add($"{at}: expected an object, got {Describe(value)}.");
                return;
            case null:
                return;
            case "array" when value.ValueKind == JsonValueKind.Array:
                if (schema.TryGetProperty("items", out var items))
                {
                    var index = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        ValidateSchema(items, item, $"{at}[{index++}]", errors);
                    }
                }

                return;
            case "string" when value.ValueKind == JsonValueKind.String:
                if (schema.TryGetProperty("format", out var format) && format.GetString() == "date-time" && !CamundaDate().IsMatch(value.GetString()!))
                {
                    errors.Add($"{at}: '{value.GetString()}' is not a date-time in Camunda's format yyyy-MM-dd'T'HH:mm:ss.SSSZ.");
                }

                return;
            case "integer" when value.ValueKind == JsonValueKind.Number:
                if (!value.TryGetInt64(out var whole))
                {
                    errors.Add($"{at}: {value.GetRawText()} is not an integer.");
                }
                else if (schema.TryGetProperty("format", out var intFormat) && intFormat.GetString() == "int32" && whole is > int.MaxValue or < int.MinValue)
                {
                    errors.Add($"{at}: {whole} does not fit int32.");
                }
                else if (schema.TryGetProperty("minimum", out var minimum) && whole < minimum.GetDouble())
                {
                    errors.Add($"{at}: {whole} is below the minimum {minimum.GetRawText()}.");
                }

                return;
            case "number" when value.ValueKind == JsonValueKind.Number:
                return;
            case "boolean" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                return;
            default:
                errors.Add($"{at}: expected {type}, got {Describe(value)}.");
                return;
        }
    }

    private void ValidateObject(JsonElement schema, JsonElement value, string at, List<string> errors, bool checkUnknown)
    {
        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                if (value.TryGetProperty(property.Name, out var member))
                {
                    ValidateSchema(property.Value, member, $"{at}.{property.Name}", errors);
                }
            }
        }

        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                {
                    errors.Add($"{at}: required property '{name}' is missing.");
                }
            }
        }

        if (!checkUnknown)
        {
            return;
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        JsonElement? additional = null;
        Collect(schema, known, ref additional);
        foreach (var member in value.EnumerateObject().Where(m => !known.Contains(m.Name)))
        {
            switch (additional)
            {
                case { ValueKind: JsonValueKind.True }:
                    break;
                case { ValueKind: JsonValueKind.Object } extra:
                    ValidateSchema(extra, member.Value, $"{at}.{member.Name}", errors);
                    break;
                default:
                    errors.Add($"{at}: property '{member.Name}' is not in the schema.");
                    break;
            }
        }
    }

    /// <summary>The property names an object schema declares, through <c>$ref</c> and <c>allOf</c>, and its <c>additionalProperties</c>.</summary>
    private void Collect(JsonElement schema, HashSet<string> known, ref JsonElement? additional)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            Collect(description.Resolve(reference.GetString()!), known, ref additional);
            return;
        }

        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                known.Add(property.Name);
            }
        }

        if (schema.TryGetProperty("additionalProperties", out var extra) && additional is null)
        {
            additional = extra;
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var part in allOf.EnumerateArray())
            {
                Collect(part, known, ref additional);
            }
        }
    }

    private void ValidateForm(JsonElement schema, MultipartForm form, List<string> errors)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        JsonElement? additional = null;
        Collect(schema, known, ref additional);
        var properties = (schema.TryGetProperty("$ref", out var reference) ? description.Resolve(reference.GetString()!) : schema).GetProperty("properties");
        foreach (var (name, value) in form.Fields)
        {
            if (!properties.TryGetProperty(name, out var property))
            {
                errors.Add($"form field '{name}' is not in the schema.");
                continue;
            }

            ValidateParameter(property, value, $"form field '{name}'", errors);
        }

        // "It is possible to have more than one form part with different form part names for the binary data."
        if (form.Files.Count == 0)
        {
            errors.Add("the deployment holds no file part (resource).");
        }
    }

    /// <summary>A query, path or form value against its (simple) schema.</summary>
    private static void ValidateParameter(JsonElement schema, string value, string what, List<string> errors)
    {
        var type = schema.TryGetProperty("type", out var t) ? t.GetString() : "string";
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        var ok = type switch
        {
            "boolean" => value is "true" or "false",
            "integer" => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "number" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            _ => format != "date-time" || CamundaDate().IsMatch(value),
        };
        if (!ok)
        {
            errors.Add($"{what} is '{value}', not a {format ?? type}.");
        }

        if (schema.TryGetProperty("enum", out var allowed) && allowed.EnumerateArray().All(a => a.GetString() != value))
        {
            errors.Add($"{what} is '{value}', not one of {allowed.GetRawText()}.");
        }
    }

    private static IReadOnlyList<string> Prefix(OpenApiOperation operation, List<string> errors) =>
        errors.Select(e => e.StartsWith(operation.ToString(), StringComparison.Ordinal) ? e : $"{operation}: {e}").ToArray();

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"string '{value.GetString()}'",
        JsonValueKind.Number => $"number {value.GetRawText()}",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$")]
    private static partial Regex CamundaDate();
}
