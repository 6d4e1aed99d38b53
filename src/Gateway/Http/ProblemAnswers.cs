using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TaskService.Errors;

namespace TaskService.Gateway.Http;

/// <summary>
/// Maps <see cref="Problem"/> values (from grains and from the gateway's own checks) to typed problem answers: not found 404,
/// conflict 409, forbidden 403, invalid 400 with <c>errors</c> naming the field.
/// </summary>
public static class ProblemAnswers
{
    /// <summary>The answer for a problem, as the union a handler returns next to its success result.</summary>
    public static Results<TOk, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem> ToResults<TOk>(this Problem problem)
        where TOk : IResult => problem.ToAnswer() switch
        {
            NotFoundProblem notFound => notFound,
            ConflictProblem conflict => conflict,
            ForbiddenProblem forbidden => forbidden,
            var other => (BadRequestProblem)other,
        };

    /// <summary>The value's success answer, or the problem's answer.</summary>
    public static Results<TOk, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem> ToResults<T, TOk>(this Outcome<T> outcome, Func<T, TOk> ok)
        where TOk : IResult => outcome.IsOk ? ok(outcome.Value!) : outcome.Problem.ToResults<TOk>();

    /// <summary>The success answer, or the problem's answer.</summary>
    public static Results<TOk, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem> ToResults<TOk>(this Outcome outcome, Func<TOk> ok)
        where TOk : IResult => outcome.Problem is { } problem ? problem.ToResults<TOk>() : ok();

    /// <summary>The answer for a problem, for handlers that answer <see cref="IResult"/>.</summary>
    public static ProblemAnswer ToAnswer(this Problem problem) => problem.Kind switch
    {
        TaskServiceErrorKind.NotFound => new NotFoundProblem(Details(problem, StatusCodes.Status404NotFound, NotFoundProblem.Title)),
        TaskServiceErrorKind.Conflict => new ConflictProblem(Details(problem, StatusCodes.Status409Conflict, ConflictProblem.Title)),
        TaskServiceErrorKind.Forbidden => new ForbiddenProblem(Details(problem, StatusCodes.Status403Forbidden, ForbiddenProblem.Title)),
        _ => problem.ToBadRequest(),
    };

    /// <summary>A 400 naming the problem's field in <c>errors</c> (all of them, when it lists several).</summary>
    public static BadRequestProblem ToBadRequest(this Problem problem)
    {
        var details = Details(problem, StatusCodes.Status400BadRequest, BadRequestProblem.Title);
        if (problem.Errors is { Count: > 0 } errors)
        {
            details.Extensions["errors"] = errors;
        }
        else if (problem.Target is { } target)
        {
            details.Extensions["errors"] = new Dictionary<string, string[]> { [target] = [problem.Detail] };
        }

        return new BadRequestProblem(details);
    }

    /// <summary>A 400 for a field of the request.</summary>
    public static BadRequestProblem Invalid(string field, string detail) => Problem.Invalid(field, detail).ToBadRequest();

    /// <summary>A 404 for an entity of the given kind, such as "task".</summary>
    public static NotFoundProblem NotFound(string entity, string id) =>
        new(Details(Problem.NotFound(entity, id), StatusCodes.Status404NotFound, NotFoundProblem.Title));

    private static ProblemDetails Details(Problem problem, int status, string title) =>
        new() { Status = status, Title = title, Detail = problem.Detail };
}
