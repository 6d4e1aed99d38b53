namespace TaskService.Gateway.Http;

/// <summary>Endpoint metadata: the route's body may be as large as <see cref="Common.LimitsOptions.MaxWorkflowRequestBodyBytes"/>.</summary>
public sealed class LargeRequestBody
{
    public static readonly LargeRequestBody Instance = new();

    private LargeRequestBody()
    {
    }
}
