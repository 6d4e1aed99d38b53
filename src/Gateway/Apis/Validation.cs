using TaskService.Errors;

namespace TaskService.Gateway.Apis;

/// <summary>Small checks shared by the endpoint groups; each failure is a problem naming the field, null when the value passes.</summary>
internal static class Validation
{
    /// <summary>
    /// A required string field that is present and not blank. Its length is the configured limit's business
    /// (<c>TaskService:Limits</c>, checked by the request's <c>Validate</c>), not a second one here.
    /// </summary>
    public static Problem? Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? Problem.Invalid(field, $"'{field}' is required and must be a non-empty string.") : null;

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
