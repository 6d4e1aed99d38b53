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

    /// <summary>The last page number that can be asked for: its first row's position must be a whole number.</summary>
    public const int MaxPageNumber = int.MaxValue / PageSize;

    protected override string? CheckQuery() =>
        PageNumber is < 1 or > MaxPageNumber ? $"'p' is the page number: a whole number from 1 to {MaxPageNumber}." : null;

    public async Task OnGetAsync()
    {
        var rows = Read(await Api.GetAsync($"/events?{UiApiClient.Filter(new { order = "timestamp DESC", limit = PageSize, skip = (PageNumber - 1) * PageSize })}", "view events"));
        Rows = rows.ValueKind == JsonValueKind.Array ? rows.EnumerateArray().ToArray() : [];
    }
}
