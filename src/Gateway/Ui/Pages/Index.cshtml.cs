using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace TaskService.Gateway.Ui.Pages;

/// <summary><c>/ui</c> opens the inbox.</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Inbox");
}
