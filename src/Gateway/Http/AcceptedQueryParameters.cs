namespace TaskService.Gateway.Http;

/// <summary>
/// Endpoint metadata: the query parameters a route reads. Any other parameter is refused with a 400 that names it, so that a
/// route never does something wider than asked because it ignored part of the request (a bulk delete with a filter it could
/// not read must not delete everything).
/// </summary>
public sealed record AcceptedQueryParameters(IReadOnlySet<string> Names)
{
    public static readonly AcceptedQueryParameters None = new(new HashSet<string>());
}
