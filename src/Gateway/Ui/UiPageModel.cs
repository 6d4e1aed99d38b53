using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using TaskService.Gateway.Auth;

namespace TaskService.Gateway.Ui;

/// <summary>What every page of the UI shares: the API client, the signed-in user and the messages shown at the top.</summary>
public abstract class UiPageModel(UiApiClient api) : PageModel
{
    protected UiApiClient Api { get; } = api;

    /// <summary>A message about what the last action did, shown once after the redirect that followed it.</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>Why the page or the last action could not do what was asked.</summary>
    [TempData]
    public string? Problem { get; set; }

    /// <summary>Why this page could not show all it should (not kept for the next page, unlike <see cref="Problem"/>).</summary>
    public string? LoadProblem { get; set; }

    public string UserId => User.UserId() ?? string.Empty;

    public IReadOnlyList<string> Groups =>
        User.Groups(HttpContext.RequestServices.GetRequiredService<IOptions<InboxOptions>>().Value.GroupsClaim);

    /// <summary>Keeps the first failure of a page's reads for the page to show.</summary>
    protected JsonElement Read(ApiResult result)
    {
        if (!result.Ok)
        {
            LoadProblem ??= result.Error;
        }

        return result.Body;
    }

    /// <summary>After an action: say how it went and show the page again (post, redirect, get).</summary>
    protected IActionResult Done(ApiResult result, string success, string? page = null, object? values = null)
    {
        if (result.Ok)
        {
            Notice = success;
        }
        else
        {
            Problem = result.Error;
        }

        return page is null ? RedirectToPage(values) : RedirectToPage(page, values);
    }

    public static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : value.GetRawText()
            : string.Empty;

    /// <summary>The items of an array property (none when the property is missing or not an array).</summary>
    public static JsonElement[] Items(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().ToArray()
            : [];

    public static string When(JsonElement element, string property) =>
        long.TryParse(Text(element, property), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds) && milliseconds < 253_402_300_799_999
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture)
            : DateTimeOffset.TryParse(Text(element, property), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture)
            : Text(element, property);
}
