namespace TaskService.Gateway.Http;

/// <summary>Conventions the endpoint groups declare on their routes.</summary>
public static class EndpointConventions
{
    /// <summary>The query parameters this route reads; see <see cref="AcceptedQueryParameters"/>.</summary>
    public static TBuilder AcceptsQuery<TBuilder>(this TBuilder builder, params string[] names)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AcceptedQueryParameters(new HashSet<string>(names, StringComparer.Ordinal)));

    /// <summary>This route takes a large body (a BPMN document): <see cref="Common.LimitsOptions.MaxWorkflowRequestBodyBytes"/> applies.</summary>
    public static TBuilder AcceptsLargeBody<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(LargeRequestBody.Instance);
}
