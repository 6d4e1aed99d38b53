using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace TaskService.Workflows.Camunda;

/// <summary>Ready when the configured engine answers an engine-rest request (a definition lookup that finds nothing).</summary>
public sealed class CamundaHealthCheck(CamundaClient client, IOptions<CamundaOptions> options) : IHealthCheck
{
    public const string Name = "camunda";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await client.GetProcessDefinitionByKeyAsync("task-service-readiness-probe", cancellationToken);
            return HealthCheckResult.Healthy($"The workflow engine at {options.Value.BaseUrl} answers.");
        }
        catch (Exception exception) when (exception is HttpRequestException or CamundaException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The workflow engine at {options.Value.BaseUrl} does not answer as engine-rest should: {FirstLine(exception.Message)} Check TaskService:Camunda:BaseUrl and BasePath.");
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
