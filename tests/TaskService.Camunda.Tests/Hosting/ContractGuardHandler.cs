using TaskService.Camunda.Tests.EngineRest;

namespace TaskService.Camunda.Tests.Hosting;

/// <summary>
/// In every HTTP client the tests get from the factory: fails the call (and so the test making it) as soon as any request to
/// engine-rest, or any answer, has broken the official description, whichever test or background worker caused it.
/// </summary>
public sealed class ContractGuardHandler(EngineRestServer engineRest) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ThrowIfViolated();
        var response = await base.SendAsync(request, cancellationToken);
        ThrowIfViolated();
        return response;
    }

    private void ThrowIfViolated()
    {
        if (!engineRest.Violations.IsEmpty)
        {
            throw new InvalidOperationException(
                $"A request to engine-rest (or its answer) broke the official description:{Environment.NewLine}{string.Join(Environment.NewLine, engineRest.Violations.Distinct())}");
        }
    }
}
