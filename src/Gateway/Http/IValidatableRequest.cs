namespace TaskService.Gateway.Http;

/// <summary>
/// A request body whose fields are checked against <c>TaskService:Limits</c> before its handler runs: every string's length and
/// Unicode, every free-form JSON value's size. <see cref="RequestValidationFilter"/> calls it for each bound body.
/// </summary>
public interface IValidatableRequest
{
    void Validate(RequestFieldChecks check);
}
