using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace TaskService.Gateway.Ui.Pages;

/// <summary>The events received, newest first, with paging.</summary>
public sealed class EventsModel(UiApiClient api) : UiPageModel(api)
{
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public IReadOnlyList<JsonElement> Rows { get; private set; } = [];

    protected override string? CheckQuery() => PageNumberProblem(PageNumber, PageSize);

    public async Task OnGetAsync()
    {
        var rows = Read(await Api.GetAsync($"/events?{UiApiClient.Filter(new { order = "timestamp DESC", limit = PageSize, skip = (PageNumber - 1) * PageSize })}", "view events"));
        Rows = rows.ValueKind == JsonValueKind.Array ? rows.EnumerateArray().ToArray() : [];
    }
}
