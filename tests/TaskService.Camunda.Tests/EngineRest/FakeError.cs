namespace TaskService.Camunda.Tests.EngineRest;

/// <summary>An error the test engine answers with, as engine-rest writes it: <c>{"type": ..., "message": ...}</c>.</summary>
public sealed class FakeError(int status, string type, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Type { get; } = type;

    public static FakeError NotFound(string message) => new(404, "InvalidRequestException", message);

    public static FakeError BadRequest(string message) => new(400, "InvalidRequestException", message);

    public static FakeError BadUserRequest(string message) => new(400, "BadUserRequestException", message);
}
