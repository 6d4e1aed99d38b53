using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using TaskService.Gateway.Auth;

namespace TaskService.Gateway.Ui.Pages;

/// <summary>
/// Sign-in: the one-click development sign-in (Development with the development secret only), OpenID Connect when configured,
/// and otherwise how to configure sign-in.
/// </summary>
public sealed class SignInModel(IHostEnvironment environment, JwtOptions jwt, IOptions<UiOptions> options) : PageModel
{
    /// <summary>The permission codes offered by the development sign-in, with what each allows.</summary>
    public static IReadOnlyList<(string Code, string Meaning)> Offered { get; } =
    [
        (Permissions.ViewUserTask, "view user tasks"), (Permissions.ClaimUserTask, "claim user tasks"),
        (Permissions.CompleteUserTask, "complete user tasks"), (Permissions.AssignUserTask, "assign user tasks"),
        (Permissions.CompleteAnyUserTask, "complete anyone's user tasks"), (Permissions.ViewTask, "view tasks"),
        (Permissions.ViewTaskHistory, "view task history"), (Permissions.UpdateTask, "update tasks"),
        (Permissions.ViewEvent, "view events"), (Permissions.TriggerEvent, "trigger events"), (Permissions.MapTask, "map events and tasks"),
        ("1", "view workflows"), ("2", "deploy workflows"), ("3", "update workflows"), ("4", "delete workflows"),
        ("5", "run workflows, retry incidents, cancel instances"),
    ];

    public bool DevelopmentSignIn => UiAuthentication.DevelopmentSignInAllowed(environment, jwt);

    public bool Oidc => options.Value.Oidc.Configured;

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string UserId { get; set; } = "developer";

    [BindProperty]
    public string? GroupList { get; set; } = "reviewers";

    [BindProperty]
    public List<string> Codes { get; set; } = [];

    public string? Problem { get; private set; }

    public void OnGet(bool failed = false)
    {
        if (failed)
        {
            Problem = "The identity provider did not sign you in. Try again, or ask an administrator.";
        }
    }

    public IActionResult OnPostDevelopment()
    {
        if (!DevelopmentSignIn)
        {
            return NotFound();
        }

        UserId = UserId.Trim();
        if (UserId.Length is 0 or > 200)
        {
            ModelState.AddModelError(nameof(UserId), "Enter a user id of 1 to 200 characters.");
            return Page();
        }

        var groups = (GroupList ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var codes = Codes.Where(c => Offered.Any(o => o.Code == c)).ToArray();
        var lifetime = options.Value.SignInLifetime;
        UiAuthentication.WriteTokenCookie(HttpContext, AuthenticationSetup.CreateToken(jwt, codes, lifetime, UserId, groups), lifetime);
        return LocalRedirect(UiAuthentication.LocalReturnUrl(ReturnUrl));
    }

    public IActionResult OnPostOidc() =>
        Oidc
            ? Challenge(new AuthenticationProperties { RedirectUri = UiAuthentication.LocalReturnUrl(ReturnUrl) }, UiAuthentication.OidcScheme)
            : NotFound();

    public IActionResult OnPostSignOut()
    {
        UiAuthentication.DeleteTokenCookie(HttpContext);
        return RedirectToPage();
    }
}
