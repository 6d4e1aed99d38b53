using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using TaskService.Gateway.Auth;

namespace TaskService.Gateway.Ui.Pages;

/// <summary>The user-task inbox: mine (assigned to me), my groups (unassigned, offered to my groups) and all pending ones.</summary>
public sealed class InboxModel(UiApiClient api) : UiPageModel(api)
{
    public static IReadOnlyList<(string Id, string Label)> Tabs { get; } = [("mine", "Mine"), ("groups", "My groups"), ("all", "All")];

    [BindProperty(SupportsGet = true)]
    public string Tab { get; set; } = "mine";

    public IReadOnlyList<JsonElement> UserTasks { get; private set; } = [];

    protected override string? CheckQuery()
    {
        // No tab, or an empty one, is the first.
        Tab = string.IsNullOrEmpty(Tab) ? Tabs[0].Id : Tab;
        return Tabs.Any(t => t.Id == Tab) ? null : $"'tab' must be one of {string.Join(", ", Tabs.Select(t => t.Id))}; not '{Shorten(Tab)}'.";
    }

    public async Task OnGetAsync()
    {
        var pending = new { where = new { status = "pending" }, order = "createdOn DESC", limit = 200 };
        var rows = Tab == "all"
            ? Read(await Api.GetAsync($"/user-tasks?{UiApiClient.Filter(pending)}", "view user tasks"))
            : Read(await Api.GetAsync($"/user-tasks/mine?{UiApiClient.Filter(pending)}", "view user tasks"));
        var all = rows.ValueKind == JsonValueKind.Array ? rows.EnumerateArray().ToArray() : [];
        UserTasks = Tab switch
        {
            "mine" => all.Where(u => Text(u, "assignee") == UserId).ToArray(),
            "groups" => all.Where(u => Text(u, "assignee").Length == 0).ToArray(),
            _ => all,
        };
    }

    public async Task<IActionResult> OnPostClaimAsync(string taskId, string userTaskId) =>
        Done(await Api.PostAsync(UserTaskPath(taskId, userTaskId, "claim"), null, "claim user tasks"), "Claimed: it is in your inbox now.", values: new { Tab = "mine" });

    public async Task<IActionResult> OnPostUnclaimAsync(string taskId, string userTaskId) =>
        Done(await Api.PostAsync(UserTaskPath(taskId, userTaskId, "unclaim"), null, "unclaim user tasks"), "Unclaimed: it is offered to its groups again.", values: new { Tab });

    public static string UserTaskPath(string taskId, string userTaskId, string action) =>
        $"/tasks/{Uri.EscapeDataString(taskId)}/user-tasks/{Uri.EscapeDataString(userTaskId)}/{action}";

    public static string GroupNames(JsonElement userTask) =>
        userTask.TryGetProperty("candidateGroups", out var groups) && groups.ValueKind == JsonValueKind.Array
            ? string.Join(", ", groups.EnumerateArray().Select(g => g.GetString()))
            : string.Empty;

    public bool Mine(JsonElement userTask) => Text(userTask, "assignee") == UserId;

    public bool CanComplete(JsonElement userTask) => Mine(userTask) || User.HasClaim(Permissions.ClaimType, Permissions.CompleteAnyUserTask);
}
