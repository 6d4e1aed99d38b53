using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using TaskService.Gateway.Auth;

namespace TaskService.Gateway.Ui;

/// <summary>What every page of the UI shares: the API client, the signed-in user and the messages shown at the top.</summary>
public abstract class UiPageModel(UiApiClient api) : PageModel
{
    /// <summary>
    /// The names of the query values each page reads (its <c>[BindProperty(SupportsGet = true)]</c> properties), as its links
    /// write them (the binder reads them whatever their case).
    /// </summary>
    private static readonly ConcurrentDictionary<Type, string[]> QueryNamesOf = new();

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

    /// <summary>
    /// Before a page is shown: a query value it reads that is given twice, or that it cannot read (a page number that is not one,
    /// a status it does not know), is refused with 400 and a message naming it, rather than read as the first value or as none:
    /// a list that silently shows something else than what was asked for is worse than no list.
    /// </summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        if (HttpMethods.IsGet(Request.Method) && QueryProblem() is { } problem)
        {
            LoadProblem = problem;
            context.Result = new PageResult { StatusCode = StatusCodes.Status400BadRequest };
        }
    }

    /// <summary>What is wrong with this page's own query values (each given once and of the right type), or null when nothing is.</summary>
    protected virtual string? CheckQuery() => null;

    private string? QueryProblem()
    {
        foreach (var name in QueryNamesOf.GetOrAdd(GetType(), QueryNames))
        {
            var values = Request.Query[name];
            if (values.Count > 1)
            {
                return $"The address gives '{name}' {values.Count} times; give it once.";
            }

            // Only a value given counts: a property the query does not give, or gives empty, keeps its default (and may carry
            // an implicit "required" error of its own that is not the user's).
            if (values.Count == 1 && !string.IsNullOrEmpty(values[0]) && ModelState.TryGetValue(name, out var entry) && entry.Errors.Count > 0)
            {
                return $"The address gives '{name}' a value this page cannot read: '{Shorten(values.ToString())}'.";
            }
        }

        return CheckQuery();
    }

    private static string[] QueryNames(Type page) =>
        page.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Binding: p.GetCustomAttribute<BindPropertyAttribute>()))
            .Where(p => p.Binding is { SupportsGet: true })
            .Select(p => p.Binding!.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Property.Name))
            .ToArray();

    /// <summary>
    /// What is wrong with the page number <c>p</c> of a page of <paramref name="pageSize"/> rows, or null: it must be at least 1,
    /// and its first row's position a whole number.
    /// </summary>
    protected static string? PageNumberProblem(int pageNumber, int pageSize) =>
        pageNumber < 1 || pageNumber > int.MaxValue / pageSize ? $"'p' is the page number: a whole number from 1 to {int.MaxValue / pageSize}." : null;

    /// <summary>A value as a message quotes it: at most 40 characters.</summary>
    protected static string Shorten(string value) => value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "…");

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
