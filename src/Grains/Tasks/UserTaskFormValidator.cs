using System.Globalization;
using System.Text.Json;
using TaskService.Errors;

namespace TaskService.Tasks;

/// <summary>
/// Checks the variables that complete a user task against its form (<see cref="UserTaskForm"/>): each field's type, whether it
/// is required, and its minlength, maxlength, min and max. Variables the form does not name pass unchecked. Every violation is
/// listed under <c>variables/{field id}</c>, so a 400 names each field that is wrong.
/// </summary>
public static class UserTaskFormValidator
{
    /// <summary>The violations of the form as one problem naming every field, or null when the variables satisfy it.</summary>
    public static Problem? Validate(UserTaskForm? form, JsonElement? variables)
    {
        if (form is null || form.Fields.Count == 0)
        {
            return null;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var field in form.Fields)
        {
            JsonElement value = default;
            var present = variables is { ValueKind: JsonValueKind.Object } values && values.TryGetProperty(field.Id, out value)
                && value.ValueKind != JsonValueKind.Null;
            var problem = present ? Check(field, value) : field.Required ? "is required." : null;
            if (problem is not null)
            {
                errors[$"variables/{field.Id}"] = [$"'{field.Label ?? field.Id}' {problem}"];
            }
        }

        return errors.Count == 0 ? null : new Problem(TaskServiceErrorKind.Invalid,
            $"The variables do not satisfy the user task's form: {string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}"))}",
            errors.Keys.First(), errors);
    }

    private static string? Check(FormField field, JsonElement value) => field.Type switch
    {
        "string" => value.ValueKind != JsonValueKind.String ? "must be a string." : Length(field, value.GetString()!),
        "long" => value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number) ? "must be a whole number (long)." : Range(field, number),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "must be true or false.",
        "date" => value.ValueKind == JsonValueKind.String && IsDate(value.GetString()!) ? null
            : "must be an ISO 8601 date or date-time string such as \"2024-01-31\" or \"2024-01-31T10:00:00Z\".",
        "enum" => value.ValueKind == JsonValueKind.String && field.Values?.Contains(value.GetString()!, StringComparer.Ordinal) == true ? null
            : $"must be one of: {string.Join(", ", field.Values ?? [])}.",
        _ => null,
    };

    private static string? Length(FormField field, string text)
    {
        var length = text.EnumerateRunes().Count();
        return length < field.MinLength ? $"must be at least {field.MinLength} characters long."
            : length > field.MaxLength ? $"must be at most {field.MaxLength} characters long."
            : null;
    }

    private static string? Range(FormField field, long number) =>
        number < field.Min ? $"must be at least {field.Min}." : number > field.Max ? $"must be at most {field.Max}." : null;

    private static bool IsDate(string text) =>
        DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out _);
}
