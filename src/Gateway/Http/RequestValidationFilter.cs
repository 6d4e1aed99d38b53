using TaskService.Errors;

namespace TaskService.Gateway.Http;

/// <summary>
/// Runs before every API handler: path parameters must be usable ids, query parameters must be ones the route reads, and bound
/// bodies must keep within <see cref="LimitsOptions"/>. Each failure is a 400 naming the parameter or field.
/// </summary>
public sealed class RequestValidationFilter(RequestFieldChecks checks) : IEndpointFilter
{
    private readonly RequestFieldChecks _checks = checks;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        foreach (var (name, value) in http.Request.RouteValues)
        {
            if (value is string text)
            {
                _checks.Identifier(text, name);
            }
        }

        CheckQuery(http);
        foreach (var argument in context.Arguments)
        {
            if (argument is IValidatableRequest body)
            {
                body.Validate(_checks);
            }
        }

        return next(context);
    }

    private void CheckQuery(HttpContext http)
    {
        var query = http.Request.Query;
        if (query.Count == 0)
        {
            return;
        }

        var accepted = http.GetEndpoint()?.Metadata.GetMetadata<AcceptedQueryParameters>() ?? AcceptedQueryParameters.None;
        foreach (var (name, values) in query)
        {
            if (!accepted.Names.Contains(name))
            {
                throw TaskServiceException.Invalid(name, UnknownParameter(name, accepted));
            }

            if (values.Count > 1)
            {
                throw TaskServiceException.Invalid(name, $"The query parameter '{name}' is given {values.Count} times; give it once.");
            }

            var value = values.ToString();
            var max = name is "filter" or "where" ? _checks.Limits.MaxFilterLength : _checks.Limits.MaxKeyLength;
            if (value.Length > max)
            {
                throw TaskServiceException.Invalid(name, $"The query parameter '{name}' is longer than {max} characters (TaskService:Limits).");
            }
        }
    }

    private static string UnknownParameter(string name, AcceptedQueryParameters accepted)
    {
        var bracket = name.IndexOf('[', StringComparison.Ordinal);
        if (bracket > 0 && accepted.Names.Contains(name[..bracket]))
        {
            var parameter = name[..bracket];
            var example = parameter == "where" ? "where={\"status\":1}" : $"{parameter}={{\"where\":{{\"status\":1}}}}";
            return $"The query parameter '{name}' uses the bracket form, which this route does not read; send '{parameter}' as one JSON value, " +
                   $"for example {example} (URL-encoded).";
        }

        return accepted.Names.Count == 0
            ? $"This route takes no query parameters; '{name}' is not understood."
            : $"The query parameter '{name}' is not understood here; this route reads {string.Join(", ", accepted.Names.Order().Select(n => $"'{n}'"))}.";
    }
}
