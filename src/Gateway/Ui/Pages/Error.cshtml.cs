using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace TaskService.Gateway.Ui.Pages;

/// <summary>The UI's error page: a plain message, never the exception.</summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Heading { get; private set; } = "Something went wrong";

    public string Explanation { get; private set; } = "The page could not be shown. Try again in a moment; if it keeps happening, ask an operator to look at the service's log.";

    public void OnGet(int? status) => Describe(status);

    public void OnPost(int? status) => Describe(status);

    private void Describe(int? status)
    {
        if (status == StatusCodes.Status404NotFound)
        {
            Heading = "Page not found";
            Explanation = "There is no page at this address.";
        }
        else if (status is >= 400 and < 500)
        {
            Heading = "The request could not be handled";
            Explanation = "Go back and try again. If a form was open for long, reload it first.";
        }
    }
}
