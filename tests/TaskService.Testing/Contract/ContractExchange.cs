namespace TaskService.Testing;

/// <summary>One answer a test received: the request's method and path, and the status, media type and body of the answer.</summary>
public sealed record ContractExchange(string Method, string Path, int Status, string? MediaType, string Body);
