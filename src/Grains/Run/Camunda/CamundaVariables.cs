using System.Globalization;
using System.Text.Json;
using TaskService.Errors;
using TaskService.Serialization;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// Maps TaskService's JSON variables to Camunda's typed variables and back. Written: strings as <c>String</c> (date-like text
/// too, so that expressions compare it as the embedded engine does), booleans as <c>Boolean</c>, whole numbers as
/// <c>Integer</c> (or <c>Long</c> when they do not fit), other numbers as <c>Double</c>, null as <c>Null</c>, objects and arrays
/// as <c>Object</c> serialized to <c>application/json</c> with the Java type the engine deserializes them into
/// (<c>java.util.LinkedHashMap&lt;java.lang.String,java.lang.Object&gt;</c>, <c>java.util.ArrayList&lt;java.lang.Object&gt;</c>), or
/// as Spin <c>Json</c> when so configured. Read: each of those, <c>Object</c> variables in their serialized JSON form or already
/// deserialized, <c>Date</c> as an ISO 8601 string, and any other type by its value.
/// </summary>
public static class CamundaVariables
{
    /// <summary>The Java type a JSON object is deserialized into: Jackson reads this canonical name, type arguments included.</summary>
    public const string ObjectMapType = "java.util.LinkedHashMap<java.lang.String,java.lang.Object>";

    /// <summary>The Java type a JSON array is deserialized into.</summary>
    public const string ObjectListType = "java.util.ArrayList<java.lang.Object>";

    public const string JsonDataFormat = "application/json";

    /// <summary>The properties of a JSON object as typed variables; null or undefined is no variables.</summary>
    public static Dictionary<string, CamundaVariable> FromJsonObject(JsonElement? variables, CamundaJsonVariableType jsonType)
    {
        var result = new Dictionary<string, CamundaVariable>(StringComparer.Ordinal);
        if (variables is not { ValueKind: JsonValueKind.Object } value)
        {
            return result;
        }

        foreach (var property in value.EnumerateObject())
        {
            result[property.Name] = From(property.Value, jsonType);
        }

        return result;
    }

    public static Dictionary<string, CamundaVariable> From(IReadOnlyDictionary<string, JsonElement>? variables, CamundaJsonVariableType jsonType) =>
        (variables ?? new Dictionary<string, JsonElement>()).ToDictionary(v => v.Key, v => From(v.Value, jsonType), StringComparer.Ordinal);

    /// <summary>One JSON value as a typed variable.</summary>
    public static CamundaVariable From(JsonElement value, CamundaJsonVariableType jsonType)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return new CamundaVariable { Type = "String", Value = value.Clone() };
            case JsonValueKind.True or JsonValueKind.False:
                return new CamundaVariable { Type = "Boolean", Value = value.Clone() };
            case JsonValueKind.Number when value.TryGetInt32(out _):
                return new CamundaVariable { Type = "Integer", Value = value.Clone() };
            case JsonValueKind.Number when value.TryGetInt64(out _):
                return new CamundaVariable { Type = "Long", Value = value.Clone() };
            case JsonValueKind.Number when value.TryGetDouble(out var number) && double.IsFinite(number):
                return new CamundaVariable { Type = "Double", Value = JsonElementFactory.From(number) };
            case JsonValueKind.Number:
                throw Unrepresentable(value)!.ToException();
            case JsonValueKind.Object or JsonValueKind.Array when jsonType == CamundaJsonVariableType.Object:
                return new CamundaVariable
                {
                    Type = "Object",
                    Value = JsonElementFactory.From(value.GetRawText()),
                    ValueInfo = new Dictionary<string, JsonElement>
                    {
                        ["objectTypeName"] = JsonElementFactory.From(value.ValueKind == JsonValueKind.Object ? ObjectMapType : ObjectListType),
                        ["serializationDataFormat"] = JsonElementFactory.From(JsonDataFormat),
                    },
                };
            case JsonValueKind.Object or JsonValueKind.Array:
                return new CamundaVariable { Type = "Json", Value = JsonElementFactory.From(value.GetRawText()) };
            default:
                return new CamundaVariable { Type = "Null", Value = null };
        }
    }

    /// <summary>
    /// The problem with a variable no Camunda type holds (a number beyond a Java Double, valid JSON such as 1e400), or null when
    /// each has one. Callers ask before they convert, so that such input is answered as invalid rather than thrown.
    /// </summary>
    public static Problem? Unrepresentable(JsonElement? variables) =>
        variables is { ValueKind: JsonValueKind.Object } value ? value.EnumerateObject().Select(p => Unrepresentable(p.Value)).FirstOrDefault(p => p is not null) : null;

    /// <inheritdoc cref="Unrepresentable(JsonElement?)"/>
    public static Problem? Unrepresentable(IReadOnlyDictionary<string, JsonElement>? variables) =>
        variables?.Values.Select(Unrepresentable).FirstOrDefault(p => p is not null);

    private static Problem? Unrepresentable(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number || value.TryGetInt64(out _) || (value.TryGetDouble(out var number) && double.IsFinite(number)))
        {
            return null;
        }

        var text = value.GetRawText();
        return Problem.Invalid("variables", $"The number {(text.Length > 40 ? text[..40] + "..." : text)} is beyond the range of a Camunda Double.");
    }

    /// <summary>Typed variables as plain JSON values, by name.</summary>
    public static Dictionary<string, JsonElement> ToJson(IReadOnlyDictionary<string, CamundaVariable>? variables) =>
        (variables ?? new Dictionary<string, CamundaVariable>()).ToDictionary(v => v.Key, v => ToJson(v.Value), StringComparer.Ordinal);

    /// <summary>Typed variables as one JSON object.</summary>
    public static JsonElement ToJsonObject(IReadOnlyDictionary<string, CamundaVariable>? variables) => JsonElementFactory.From(ToJson(variables));

    /// <summary>One typed variable as a plain JSON value.</summary>
    public static JsonElement ToJson(CamundaVariable variable)
    {
        if (variable.Value is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return JsonElementFactory.Null;
        }

        switch (variable.Type?.ToLowerInvariant())
        {
            case "json":
                return ParseText(value);
            case "object" when IsJsonFormat(variable):
                return ParseText(value);
            case "date" when value.ValueKind == JsonValueKind.String && CamundaDateTimeConverter.TryParse(value.GetString(), out var date):
                return JsonElementFactory.From(date.ToString("O", CultureInfo.InvariantCulture));
            case "integer" or "long" or "short" or "double" when value.ValueKind == JsonValueKind.String
                && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                return JsonElementFactory.Parse(value.GetString()!);
            case "boolean" when value.ValueKind == JsonValueKind.String && bool.TryParse(value.GetString(), out var flag):
                return JsonElementFactory.From(flag);
            default:
                return value.Clone();
        }
    }

    private static bool IsJsonFormat(CamundaVariable variable) =>
        variable.ValueInfo is null
        || !variable.ValueInfo.TryGetValue("serializationDataFormat", out var format)
        || format.ValueKind != JsonValueKind.String
        || format.GetString()!.StartsWith(JsonDataFormat, StringComparison.OrdinalIgnoreCase);

    /// <summary>JSON held as text is parsed; a value the engine deserialized already (not a string) is taken as it is.</summary>
    private static JsonElement ParseText(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return value.Clone();
        }

        try
        {
            return JsonElementFactory.Parse(value.GetString()!);
        }
        catch (JsonException)
        {
            return value.Clone();
        }
    }
}
