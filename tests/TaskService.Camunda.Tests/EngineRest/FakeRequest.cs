using System.Text.Json;

namespace TaskService.Camunda.Tests.EngineRest;

/// <summary>A request as the test engine's handlers see it: its operation, query, and JSON or multipart body.</summary>
public sealed record FakeRequest(OpenApiOperation Operation, IReadOnlyDictionary<string, string> Query, JsonElement? Json, MultipartForm? Form)
{
    public string Path(string name) => Operation.PathValues[name];

    public string? QueryValue(string name) => Query.TryGetValue(name, out var value) ? value : null;

    public JsonElement Body => Json ?? throw FakeError.BadRequest("A request body is required.");
}
