using System.Text.Json;
using TaskService.Gateway.Auth;

namespace TaskService.Gateway.Ui.Pages;

/// <summary>A task: its fields, its user tasks with their actions, and its history.</summary>
public sealed class TaskDetailsModel(UiApiClient api) : UiPageModel(api)
{
    public JsonElement Task { get; private set; }

    public IReadOnlyList<JsonElement> UserTasks { get; private set; } = [];

    public IReadOnlyList<JsonElement> History { get; private set; } = [];

    public string? HistoryProblem { get; private set; }

    public async System.Threading.Tasks.Task OnGetAsync(string id)
    {
        var path = $"/tasks/{Uri.EscapeDataString(id)}";
        Task = Read(await Api.GetAsync(path, "view tasks"));
        if (Task.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var userTasks = Read(await Api.GetAsync($"{path}/user-tasks?{UiApiClient.Filter(new { order = "createdOn ASC" })}", "view user tasks"));
        UserTasks = userTasks.ValueKind == JsonValueKind.Array ? userTasks.EnumerateArray().ToArray() : [];
        var history = await Api.GetAsync($"{path}/history", "view task history");
        HistoryProblem = history.Error;
        History = history.Items.ToArray();
    }

    public bool Mine(JsonElement userTask) => Text(userTask, "assignee") == UserId;

    public bool CanComplete(JsonElement userTask) => Mine(userTask) || User.HasClaim(Permissions.ClaimType, Permissions.CompleteAnyUserTask);

    public static IEnumerable<string> Changes(JsonElement entry) =>
        entry.TryGetProperty("changes", out var changes) && changes.ValueKind == JsonValueKind.Array
            ? changes.EnumerateArray().Select(c => $"{Text(c, "field")}: {Or(Text(c, "from"))} → {Or(Text(c, "to"))}")
            : [];

    private static string Or(string value) => value.Length == 0 ? "(none)" : value;
}
