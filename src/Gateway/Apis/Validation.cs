using TaskService.Errors;

namespace TaskService.Gateway.Apis;

/// <summary>Small checks shared by the endpoint groups; each failure is a problem naming the field, null when the value passes.</summary>
internal static class Validation
{
    public static Problem? Required(string? value, string field, int maxLength = 500) =>
        string.IsNullOrWhiteSpace(value) ? Problem.Invalid(field, $"'{field}' is required and must be a non-empty string.")
        : value.Length > maxLength ? Problem.Invalid(field, $"'{field}' is longer than {maxLength} characters.")
        : null;

    public static Problem? Body<T>([System.Diagnostics.CodeAnalysis.NotNull] T? body)
        where T : class
    {
        if (body is null)
        {
            body = null!;
            return Problem.Invalid("body", "A JSON request body is required.");
        }

        return null;
    }
}
