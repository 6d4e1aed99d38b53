using System.Globalization;
using System.Text.Json;
using TaskService.Serialization;
using TaskService.Workflows.Camunda;

namespace TaskService.Camunda.Tests.EngineRest;

/// <summary>
/// A variable as the Java engine holds it: a value type and the value (Json as its text, Object in its serialized form with its
/// Java type name and data format). Reads and writes engine-rest's <c>VariableValueDto</c> with the engine's checks and formats.
/// </summary>
public sealed record StoredVariable(string Type, JsonElement? Value, string? ObjectTypeName = null, string? SerializationDataFormat = null)
{
    private static readonly Dictionary<string, string> TypeNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["string"] = "String", ["integer"] = "Integer", ["long"] = "Long", ["short"] = "Short", ["double"] = "Double",
        ["boolean"] = "Boolean", ["null"] = "Null", ["json"] = "Json", ["object"] = "Object", ["date"] = "Date", ["xml"] = "Xml",
    };

    /// <summary>Reads a <c>VariableValueDto</c>, refusing what the engine refuses (with its 400 messages).</summary>
    public static StoredVariable FromDto(string name, JsonElement dto)
    {
        var value = dto.TryGetProperty("value", out var v) && v.ValueKind != JsonValueKind.Null ? v.Clone() : (JsonElement?)null;
        var info = dto.TryGetProperty("valueInfo", out var i) && i.ValueKind == JsonValueKind.Object ? i : default;
        string type;
        if (!dto.TryGetProperty("type", out var t) || t.ValueKind == JsonValueKind.Null)
        {
            type = value?.ValueKind switch
            {
                null => "Null",
                JsonValueKind.String => "String",
                JsonValueKind.True or JsonValueKind.False => "Boolean",
                JsonValueKind.Number when value.Value.TryGetInt32(out _) => "Integer",
                JsonValueKind.Number when value.Value.TryGetInt64(out _) => "Long",
                JsonValueKind.Number => "Double",
                _ => throw FakeError.BadRequest($"Cannot put variable {name}: the value is an object or array but no type is given."),
            };
        }
        else if (!TypeNames.TryGetValue(t.GetString()!, out type!))
        {
            throw FakeError.BadRequest($"Cannot put variable {name}: Unsupported value type '{t.GetString()}'");
        }

        void Require(bool ok, string javaType)
        {
            if (!ok)
            {
                throw FakeError.BadRequest($"Cannot put variable {name}: Cannot convert value '{value?.GetRawText()}' of type '{type}' to java type {javaType}");
            }
        }

        switch (type)
        {
            case "String" or "Xml":
                Require(value is null || value.Value.ValueKind == JsonValueKind.String, "java.lang.String");
                return new StoredVariable(type, value);
            case "Integer":
                Require(value is null || value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetInt32(out _), "java.lang.Integer");
                return new StoredVariable(type, value);
            case "Short":
                Require(value is null || value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetInt16(out _), "java.lang.Short");
                return new StoredVariable(type, value);
            case "Long":
                Require(value is null || value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetInt64(out _), "java.lang.Long");
                return new StoredVariable(type, value);
            case "Double":
                Require(value is null || value.Value.ValueKind == JsonValueKind.Number, "java.lang.Double");
                return new StoredVariable(type, value);
            case "Boolean":
                Require(value is null || value.Value.ValueKind is JsonValueKind.True or JsonValueKind.False, "java.lang.Boolean");
                return new StoredVariable(type, value);
            case "Null":
                return new StoredVariable(type, null);
            case "Date":
                Require(value is null || value.Value.ValueKind == JsonValueKind.String && CamundaDateTimeConverter.TryParse(value.Value.GetString(), out _), "java.util.Date");
                return new StoredVariable(type, value);
            case "Json":
                Require(value is null || value.Value.ValueKind == JsonValueKind.String && IsJson(value.Value.GetString()!), "org.camunda.spin.json.SpinJsonNode");
                return new StoredVariable(type, value);
            default:
                // Object: a serialized value needs its Java type; this engine knows the JSON data format only (Spin's).
                if (value is not null && value.Value.ValueKind != JsonValueKind.String)
                {
                    throw FakeError.BadRequest($"Cannot put variable {name}: Must provide 'null' or String value for value of SerializableValue type 'Object'.");
                }

                var typeName = info.ValueKind == JsonValueKind.Object && info.TryGetProperty("objectTypeName", out var n) ? n.GetString() : null;
                var format = info.ValueKind == JsonValueKind.Object && info.TryGetProperty("serializationDataFormat", out var f) ? f.GetString() : null;
                if (value is not null && string.IsNullOrEmpty(typeName))
                {
                    throw FakeError.BadRequest($"Cannot put variable {name}: no 'objectTypeName' is given for a serialized value of type 'Object'.");
                }

                format ??= "application/x-java-serialized-object";
                if (format != CamundaVariables.JsonDataFormat || (value is not null && !IsJson(value.Value.GetString()!)))
                {
                    throw FakeError.BadRequest($"Cannot put variable {name}: Cannot deserialize object in variable '{name}': data format '{format}' is not supported by this engine.");
                }

                if (value is not null)
                {
                    Deserialize(name, typeName!, value.Value.GetString()!);
                }

                return new StoredVariable(type, value, typeName, format);
        }
    }

    /// <summary>The Java types this engine has, by how JSON must look to be deserialized into them (Jackson's rules).</summary>
    private static readonly Dictionary<string, JsonValueKind[]> JavaTypes = new(StringComparer.Ordinal)
    {
        ["java.util.LinkedHashMap"] = [JsonValueKind.Object],
        ["java.util.HashMap"] = [JsonValueKind.Object],
        ["java.util.Map"] = [JsonValueKind.Object],
        ["java.util.ArrayList"] = [JsonValueKind.Array],
        ["java.util.List"] = [JsonValueKind.Array],
        ["java.util.LinkedList"] = [JsonValueKind.Array],
        ["java.lang.Object"] = [JsonValueKind.Object, JsonValueKind.Array, JsonValueKind.String, JsonValueKind.Number, JsonValueKind.True, JsonValueKind.False, JsonValueKind.Null],
        ["java.lang.String"] = [JsonValueKind.String, JsonValueKind.Null],
    };

    /// <summary>
    /// Deserializes a serialized <c>Object</c> value as the Java engine would when it is used (Jackson, from the canonical type
    /// name <c>java.util.LinkedHashMap&lt;java.lang.String,java.lang.Object&gt;</c>): the type and its type arguments must be
    /// classes the engine has, and the JSON must have the shape of the type (an object for a map, an array for a list).
    /// </summary>
    private static void Deserialize(string name, string typeName, string json)
    {
        var names = typeName.Split(['<', '>', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names.Length == 0 ? typeName : names.FirstOrDefault(n => !JavaTypes.ContainsKey(n));
        if (unknown is not null)
        {
            throw FakeError.BadRequest(
                $"Cannot put variable {name}: Cannot deserialize object in variable '{name}': SPIN/JACKSON-JSON-01007 Cannot construct java type from string '{typeName}': class {unknown} not found");
        }

        using var document = JsonDocument.Parse(json);
        if (!JavaTypes[names[0]].Contains(document.RootElement.ValueKind))
        {
            throw FakeError.BadRequest(
                $"Cannot put variable {name}: Cannot deserialize object in variable '{name}': SPIN/JACKSON-JSON-01006 Cannot deserialize '{Shorten(json)}' to java type '{typeName}'");
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    /// <summary>An <c>Object</c> variable as Java code would set it: a value serialized to JSON by Spin/Jackson.</summary>
    public static StoredVariable JavaObject(string json, string javaType) => new("Object", JsonElementFactory.From(json), javaType, CamundaVariables.JsonDataFormat);

    /// <summary>Writes the <c>VariableValueDto</c> as engine-rest does; <paramref name="deserialize"/> renders Object values as JSON.</summary>
    public Dictionary<string, object?> ToDto(bool deserialize)
    {
        var info = new Dictionary<string, object?>();
        object? value = Value;
        if (Type == "Object")
        {
            info["objectTypeName"] = ObjectTypeName;
            info["serializationDataFormat"] = SerializationDataFormat;
            if (deserialize && Value is { } text)
            {
                value = JsonElementFactory.Parse(text.GetString()!);
            }
        }

        return new Dictionary<string, object?> { ["type"] = Type, ["value"] = value, ["valueInfo"] = info };
    }

    /// <summary>
    /// The value as the Java engine's expressions see it: a deserialized <c>Object</c> is a Java map, list or bean, whose
    /// properties and items expressions reach (JSON objects and arrays here); a Spin <c>Json</c> value is a <c>SpinJsonNode</c>,
    /// whose fields expressions do not reach (only Spin's methods do), so it is opaque here: its text, without properties.
    /// </summary>
    public JsonElement ToExpressionValue() => Type == "Json" && Value is { } text
        ? JsonElementFactory.From($"SpinJsonNode {text.GetString()}")
        : ToJson();

    /// <summary>The value as plain JSON.</summary>
    public JsonElement ToJson() => Type switch
    {
        _ when Value is null => JsonElementFactory.Null,
        "Json" or "Object" => JsonElementFactory.Parse(Value.Value.GetString()!),
        "Date" when CamundaDateTimeConverter.TryParse(Value.Value.GetString(), out var date) => JsonElementFactory.From(date.ToString("O", CultureInfo.InvariantCulture)),
        _ => Value.Value,
    };

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
