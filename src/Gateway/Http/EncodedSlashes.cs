namespace TaskService.Gateway.Http;

/// <summary>
/// Reads <c>%2F</c> in a path id as the <c>/</c> it encodes. The HTTP server decodes every other escape in the path but leaves
/// <c>%2F</c> as written, so that it does not split the path; route values then carry it still encoded, and an id holding a slash
/// (an event id from an <c>Idempotency-Key</c> such as <c>orders/1001</c>) could be recorded but never read back by
/// <c>GET /events/orders%2F1001</c>, as the original (Express decodes path parameters) reads it. The server has decoded
/// <c>%25</c> already, so an id holding the text <c>%2F</c> itself reads as one holding <c>/</c>.
/// </summary>
public static class EncodedSlashes
{
    private const string EncodedSlash = "%2F";

    /// <summary>Decodes <c>%2F</c> in the route values of the endpoint routing chose; runs after <c>UseRouting</c>.</summary>
    public static IApplicationBuilder UseDecodedSlashesInRouteValues(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Path.Value?.Contains(EncodedSlash, StringComparison.OrdinalIgnoreCase) == true)
        {
            var values = context.Request.RouteValues;
            foreach (var (name, value) in values.ToArray())
            {
                if (value is string text && text.Contains(EncodedSlash, StringComparison.OrdinalIgnoreCase))
                {
                    values[name] = text.Replace(EncodedSlash, "/", StringComparison.OrdinalIgnoreCase);
                }
            }
        }

        return next(context);
    });
}
