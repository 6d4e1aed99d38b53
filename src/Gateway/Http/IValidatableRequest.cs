namespace TaskService.Gateway.Http;

/// <summary>
/// A request body whose fields are checked against <c>TaskService:Limits</c> before its handler runs: every string's length and
/// Unicode, every free-form JSON value's size. <see cref="RequestValidationFilter"/> calls it for each bound body.
/// </summary>
public interface IValidatableRequest
{
    /// <summary>The first field that breaks its limit, as a problem naming it; null when all pass.</summary>
    TaskService.Errors.Problem? Validate(RequestFieldChecks check);
}
