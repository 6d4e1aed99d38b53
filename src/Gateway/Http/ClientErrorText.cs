using System.Text.Json;
using System.Text.RegularExpressions;

namespace TaskService.Gateway.Http;

/// <summary>
/// Turns the framework's messages about unreadable requests into sentences for the API's users: they name the field and what it
/// must be, and never carry a .NET type name, a stack trace or a file path.
/// </summary>
public static partial class ClientErrorText
{
    /// <summary>What is wrong with a body that could not be read as JSON, and the field it is about.</summary>
    /// <param name="exception">What the JSON reader or serializer threw.</param>
    /// <param name="requestType">The body's type, when known: the expected type of the field is read from it.</param>
    public static (string Detail, string Target) ForJson(JsonException exception, Type? requestType = null)
    {
        var target = exception.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
        var message = FirstLine(exception.Message);
        var unmapped = UnmappedProperty().Match(message);
        if (unmapped.Success)
        {
            var property = unmapped.Groups["name"].Value;
            return ($"The request body holds the property '{property}', which this route does not take.", property);
        }

        if (Conversion().IsMatch(message))
        {
            // The serializer names the record that holds the field, not the field's type: look the field up in the body's type.
            return (FieldType(requestType, target) is { } type ? $"'{target}' must be {Expected(type.Name)}." : $"'{target}' has the wrong JSON type or an out-of-range value.", target);
        }

        var text = Scrub(PositionSuffix().Replace(message, string.Empty).Trim());
        return target == "body"
            ? ($"The request body is not valid JSON: {text}", target)
            : ($"The request body is not valid at '{target}': {text}", target);
    }

    /// <summary>What is wrong with a route or query parameter that could not be bound, and its name.</summary>
    public static (string Detail, string? Target) ForBinding(string message)
    {
        var failed = FailedToBind().Match(message);
        if (failed.Success)
        {
            var name = failed.Groups["name"].Value;
            return ($"The parameter '{name}' must be {Expected(failed.Groups["type"].Value)}, not '{Truncate(failed.Groups["value"].Value)}'.", name);
        }

        var required = RequiredParameter().Match(message);
        if (required.Success)
        {
            var name = required.Groups["name"].Value;
            return ($"The parameter '{name}' is required.", name);
        }

        return (Scrub(FirstLine(message)), null);
    }

    /// <summary>Removes anything that looks like a .NET type name or a file path from a message.</summary>
    public static string Scrub(string message) => FilePath().Replace(TypeName().Replace(message, "a value of another type"), "(path)");

    private static Type? FieldType(Type? type, string path)
    {
        foreach (var segment in path.Split('.'))
        {
            var name = segment.Split('[')[0];
            var property = type?.GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return type == typeof(JsonElement) ? type : null;
            }

            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }

        return type;
    }

    private static string Expected(string type)
    {
        var name = Regex.Replace(type, @"^(System\.)?Nullable(`1\[|<)(?<inner>.*?)(\]|>)$", "${inner}");
        name = name[(name.LastIndexOf('.') + 1)..].TrimEnd('?').ToLowerInvariant();
        return name switch
        {
            "int32" or "int" or "int64" or "long" or "int16" or "short" => "a whole number within range",
            "double" or "decimal" or "single" or "float" => "a number",
            "boolean" or "bool" => "true or false",
            "string" => "a string",
            "datetimeoffset" or "datetime" => "a date and time in ISO 8601 form (for example 2024-01-31T12:00:00Z)",
            "jsonelement" => "a JSON value",
            _ => "a value of the documented form",
        };
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private static string Truncate(string value) => value.Length <= 100 ? value : value[..100] + "...";

    [GeneratedRegex(@"The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"could not be converted to (?<type>[^\s]+?)\.(\s|$)")]
    private static partial Regex Conversion();

    [GeneratedRegex(@"\s*(Path: \$.*?)?\s*\|\s*LineNumber:.*$")]
    private static partial Regex PositionSuffix();

    [GeneratedRegex("Failed to bind parameter \"(?<type>.*?)\\s(?<name>[A-Za-z_][A-Za-z0-9_]*)\" from \"(?<value>.*)\"")]
    private static partial Regex FailedToBind();

    [GeneratedRegex("Required parameter \"(?:.*?\\s)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\" was not provided")]
    private static partial Regex RequiredParameter();

    [GeneratedRegex(@"\b(System|Microsoft|TaskService|Orleans|Npgsql)(\.[A-Za-z_][A-Za-z0-9_`]*)+(\[[^\]]*\]|<[^>]*>)?")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"(/[A-Za-z0-9_.\-]+){2,}\.cs(:line \d+)?|[A-Za-z]:\\[^\s]+")]
    private static partial Regex FilePath();
}
