using System.Text.Json;
using TaskService.Errors;
using TaskService.Serialization;

namespace TaskService.Gateway.Apis;

/// <summary>Small checks shared by the endpoint groups; each failure names the field.</summary>
internal static class Validation
{
    public static string Required(string? value, string field, int maxLength = 500)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw TaskServiceException.Invalid(field, $"'{field}' is required and must be a non-empty string.");
        }

        if (value.Length > maxLength)
        {
            throw TaskServiceException.Invalid(field, $"'{field}' is longer than {maxLength} characters.");
        }

        return value;
    }

    /// <summary>Refuses JSON that holds unpaired surrogate escapes; see <see cref="WellFormedJson"/>.</summary>
    public static JsonElement WellFormed(JsonElement value, string field) => WellFormedJson.Ensure(value, field);

    public static T Body<T>(T? body)
        where T : class =>
        body ?? throw TaskServiceException.Invalid("body", "A JSON request body is required.");
}
