using System.Text.Json;

namespace TaskService.Camunda.Tests.EngineRest;

/// <summary>One operation of the description, with the path parameter values of the request that matched it.</summary>
public sealed record OpenApiOperation(string Method, string Template, JsonElement Definition, IReadOnlyDictionary<string, string> PathValues)
{
    public string OperationId => Definition.TryGetProperty("operationId", out var id) ? id.GetString()! : $"{Method} {Template}";

    public override string ToString() => $"{Method} {Template} ({OperationId})";
}
