using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace TaskService.Gateway.Ui.Pages;

/// <summary>The task list with filters (status, key, name contains) and paging.</summary>
public sealed class TasksModel(UiApiClient api) : UiPageModel(api)
{
    public const int PageSize = 20;

    public static IReadOnlyList<string> Statuses { get; } = ["pending", "in progress", "completed"];

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Key { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Name { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public IReadOnlyList<JsonElement> Rows { get; private set; } = [];

    public long Total { get; private set; }

    public int Pages => (int)Math.Max(1, (Total + PageSize - 1) / PageSize);

    protected override string? CheckQuery() =>
        Status is { Length: > 0 } && !Statuses.Contains(Status)
            ? $"'status' must be one of {string.Join(", ", Statuses)}, or empty for any; not '{Shorten(Status)}'."
            : PageNumberProblem(PageNumber, PageSize);

    public async Task OnGetAsync()
    {
        var where = new Dictionary<string, object>();
        if (Status is { Length: > 0 })
        {
            where["status"] = Status;
        }

        if (Key?.Trim() is { Length: > 0 } key)
        {
            where["key"] = key;
        }

        if (Name?.Trim() is { Length: > 0 } name)
        {
            // "Contains", with the like pattern's own characters taken literally.
            where["name"] = new Dictionary<string, string> { ["ilike"] = $"%{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal)}%" };
        }

        var count = await Api.GetAsync($"/tasks/count?where={Uri.EscapeDataString(JsonSerializer.Serialize(where))}", "view tasks");
        Total = count.Ok && count.Body.TryGetProperty("count", out var c) ? c.GetInt64() : 0;
        var filter = new { where, order = "createdOn DESC", limit = PageSize, skip = (PageNumber - 1) * PageSize };
        var rows = Read(await Api.GetAsync($"/tasks?{UiApiClient.Filter(filter)}", "view tasks"));
        Rows = rows.ValueKind == JsonValueKind.Array ? rows.EnumerateArray().ToArray() : [];
    }

    public string PageLink(int page) =>
        $"/ui/tasks?status={Uri.EscapeDataString(Status ?? string.Empty)}&key={Uri.EscapeDataString(Key ?? string.Empty)}&name={Uri.EscapeDataString(Name ?? string.Empty)}&p={page}";
}
