using TaskService.Errors;

namespace TaskService.Gateway.Http;

/// <summary>
/// Runs before every API handler: path parameters must be usable ids, query parameters must be ones the route reads, and bound
/// bodies must keep within <see cref="LimitsOptions"/>. Each failure is a 400 naming the parameter or field.
/// </summary>
public sealed class RequestValidationFilter(RequestFieldChecks checks) : IEndpointFilter
{
    private readonly RequestFieldChecks _checks = checks;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        Check(context) is { } problem ? ValueTask.FromResult<object?>(problem.ToBadRequest()) : next(context);

    private Problem? Check(EndpointFilterInvocationContext context)
    {
        var http = context.HttpContext;
        foreach (var (name, value) in http.Request.RouteValues)
        {
            if (value is string text && _checks.Identifier(text, name) is { } problem)
            {
                return problem;
            }
        }

        if (CheckQuery(http) is { } queryProblem)
        {
            return queryProblem;
        }

        foreach (var argument in context.Arguments)
        {
            if (argument is IValidatableRequest body && body.Validate(_checks) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private Problem? CheckQuery(HttpContext http)
    {
        var query = http.Request.Query;
        if (query.Count == 0)
        {
            return null;
        }

        var accepted = http.GetEndpoint()?.Metadata.GetMetadata<AcceptedQueryParameters>() ?? AcceptedQueryParameters.None;
        var bracketLength = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, values) in query)
        {
            // filter[where][status]=... is the qs bracket form of filter (QueryParameters reads it); other keys are named exactly.
            var root = BracketRoot(name, accepted);
            if (root is null && !accepted.Names.Contains(name))
            {
                return Problem.Invalid(name, UnknownParameter(name, accepted));
            }

            if (root is null && values.Count > 1)
            {
                return Problem.Invalid(name, $"The query parameter '{name}' is given {values.Count} times; give it once.");
            }

            var parameter = root ?? name;
            var max = parameter is QueryParameters.FilterName or QueryParameters.WhereName ? _checks.Limits.MaxFilterLength : _checks.Limits.MaxKeyLength;
            var length = root is null ? values.ToString().Length : name.Length + values.Sum(v => (v?.Length ?? 0) + 1);
            if (root is not null)
            {
                length = bracketLength[root] = bracketLength.GetValueOrDefault(root) + length;
            }

            if (length > max)
            {
                return Problem.Invalid(parameter, $"The query parameter '{parameter}' is longer than {max} characters (TaskService:Limits).");
            }
        }

        return null;
    }

    private static string? BracketRoot(string name, AcceptedQueryParameters accepted)
    {
        var bracket = name.IndexOf('[', StringComparison.Ordinal);
        if (bracket <= 0)
        {
            return null;
        }

        var root = name[..bracket];
        return root is QueryParameters.FilterName or QueryParameters.WhereName && accepted.Names.Contains(root) ? root : null;
    }

    private static string UnknownParameter(string name, AcceptedQueryParameters accepted) =>
        accepted.Names.Count == 0
            ? $"This route takes no query parameters; '{name}' is not understood."
            : $"The query parameter '{name}' is not understood here; this route reads {string.Join(", ", accepted.Names.Order().Select(n => $"'{n}'"))}.";
}
