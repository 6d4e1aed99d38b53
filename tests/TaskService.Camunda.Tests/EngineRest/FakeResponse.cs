namespace TaskService.Camunda.Tests.EngineRest;

/// <summary>What the test engine answers: a status and a body to serialize (null for none).</summary>
public sealed record FakeResponse(int Status, object? Body)
{
    public static FakeResponse Ok(object body) => new(200, body);

    public static FakeResponse NoContent { get; } = new(204, null);
}
