using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TaskService.Gateway.Http;

/// <summary>
/// Says what is wrong with a request body that could not be read as JSON, from what the reader and serializer report as data: the
/// JSON path and position of the failure, whether the reader (the text is not JSON) or the serializer (a value does not fit)
/// stopped, and the body type's JSON contract. The framework's message is never read or passed on, so no answer carries a .NET
/// type name, a stack trace or a file path.
/// </summary>
public static class ClientErrorText
{
    private const string Body = "body";

    /// <summary>What is wrong with a body that could not be read as JSON, and the field it is about.</summary>
    /// <param name="exception">What the JSON reader or serializer threw.</param>
    /// <param name="requestType">The body's type, when known: the field's expected type is read from its JSON contract.</param>
    /// <param name="options">The serializer options the body was read with.</param>
    public static (string Detail, string Target) ForJson(JsonException exception, Type? requestType, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(options);
        var path = Segments(exception.Path);
        var target = exception.Path is { Length: > 2 } text && text.StartsWith("$.", StringComparison.Ordinal) ? text[2..] : Body;

        // The reader's own failures (text that is not JSON, or nests too deep) come wrapped with the reader's exception inside.
        if (exception.InnerException is JsonException || exception.GetType() != typeof(JsonException))
        {
            var where = Serialization.JsonErrorPosition.Describe(exception);
            var depth = options.MaxDepth > 0 ? options.MaxDepth : 64;
            return target == Body
                ? ($"The request body is not valid JSON: check the syntax at {where}, and that it nests no deeper than the depth limit of {depth}.", target)
                : ($"The request body is not valid at '{target}': check the syntax at {where}, and that it nests no deeper than the depth limit of {depth}.", target);
        }

        // A string whose bytes are not UTF-8 (a client sending another encoding): the decoder's failure is inside the reader's.
        if (exception.InnerException?.InnerException is System.Text.DecoderFallbackException)
        {
            return target == Body
                ? ("The request body holds bytes that are not UTF-8; send it encoded as UTF-8.", target)
                : ($"'{target}' holds bytes that are not UTF-8; send the request body encoded as UTF-8.", target);
        }

        // A property given twice fails where a value of the wrong type would (the serializer tells the two apart only in its
        // message): inside a free JSON value only a repeated name can fail, elsewhere the answer names both requirements.
        var once = !options.AllowDuplicateProperties;
        return Lookup(requestType, path, options) switch
        {
            { Unmapped: { } property, Known: { Count: > 0 } known } =>
                ($"The request body holds the property '{property}', which this route does not take; {(path.Count > 1 ? "there it takes" : "it takes")} {string.Join(", ", known)}.", property),
            { Unmapped: { } property } => ($"The request body holds the property '{property}', which this route does not take.", property),
            { Type: { } type } when once && (Nullable.GetUnderlyingType(type) ?? type) == typeof(JsonElement) =>
                ($"'{target}' holds a property name twice in one object; give each property once.", target),
            { Type: { } type } when target != Body => ($"'{target}' must be {Expected(type)}{(once ? ", given once" : string.Empty)}.", target),
            _ when once && target != Body => ($"'{target}' has the wrong JSON type or an out-of-range value, or is given twice.", target),
            _ when target != Body => ($"'{target}' has the wrong JSON type or an out-of-range value.", target),

            // The serializer stopped at the body itself: it is not an object, or (reading from the request stream, where the
            // serializer does not say which) it gives twice a property that the route tolerates and ignores, such as an audit field.
            _ when once && CollectsUnknownProperties(requestType, options) =>
                ("The request body must be a JSON object of this route's form that gives each property once.", target),
            _ => ("The request body must be a JSON object of this route's form.", target),
        };
    }

    /// <summary>The properties a JSON body can set on a type: those with a setter or a constructor parameter, not its extension data.</summary>
    public static IEnumerable<JsonPropertyInfo> Settable(JsonTypeInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.Properties.Where(p => !p.IsExtensionData && (p.Set is not null || p.AssociatedParameter is not null));
    }

    /// <summary>Whether the body type keeps the properties it does not declare (as extension data) rather than refusing them.</summary>
    private static bool CollectsUnknownProperties(Type? requestType, JsonSerializerOptions options) =>
        requestType is not null && options.GetTypeInfo(requestType) is { Kind: JsonTypeInfoKind.Object } info && info.Properties.Any(p => p.IsExtensionData);

    /// <summary>What a JSON value of <paramref name="type"/> must be, in words: "a string", "true or false", ...</summary>
    public static string Expected(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number within range",
            _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time in ISO 8601 form (for example 2024-01-31T12:00:00Z)",
            _ when type == typeof(JsonElement) => "a JSON value",
            _ when type.IsArray => "a JSON array",
            _ => "a value of the documented form",
        };
    }

    /// <summary>The property names of a JSON path such as <c>$.a.b[0].c</c> or <c>$['odd name']</c>: a, b, c.</summary>
    private static List<string> Segments(string? path)
    {
        var segments = new List<string>();
        if (path is null || !path.StartsWith('$'))
        {
            return segments;
        }

        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['", StringComparison.Ordinal) && path.IndexOf("']", i + 2, StringComparison.Ordinal) is var close and > 0)
            {
                segments.Add(path[(i + 2)..close]);
                i = close + 2;
            }
            else if (path[i] == '[' && path.IndexOf(']', i) is var bracket and > 0)
            {
                // An array index: the element has the same contract as any other element.
                i = bracket + 1;
            }
            else
            {
                break;
            }
        }

        return segments;
    }

    /// <summary>
    /// Follows <paramref name="path"/> through the body type's JSON contract: the type at its end, or the first name the contract
    /// does not hold (a property the route does not take) with the names it holds there. Neither when the body type is unknown or
    /// the path leaves the contract (inside a free JSON value).
    /// </summary>
    private static (Type? Type, string? Unmapped, IReadOnlyList<string>? Known) Lookup(Type? type, List<string> path, JsonSerializerOptions options)
    {
        if (type is null)
        {
            return (null, null, null);
        }

        foreach (var name in path)
        {
            var info = options.GetTypeInfo(type);
            while (info.Kind is JsonTypeInfoKind.Enumerable && info.ElementType is { } element)
            {
                info = options.GetTypeInfo(element);
            }

            if (info.Kind != JsonTypeInfoKind.Object)
            {
                // A free JSON value (JsonElement, a dictionary): anything inside it fits.
                return (info.Type, null, null);
            }

            var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            var property = info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, comparison));
            if (property is null)
            {
                return (null, name, [.. Settable(info).Select(p => p.Name)]);
            }

            type = property.PropertyType;
        }

        return (type, null, null);
    }
}
