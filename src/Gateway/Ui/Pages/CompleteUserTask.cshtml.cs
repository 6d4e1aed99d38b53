using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace TaskService.Gateway.Ui.Pages;

/// <summary>
/// Completes a user task through its form: one input per form field (label, type, required marker), the values typed as the
/// field says, and the API's objections shown next to the field they name.
/// </summary>
public sealed class CompleteUserTaskModel(UiApiClient api) : UiPageModel(api)
{
    public JsonElement UserTask { get; private set; }

    public IReadOnlyList<JsonElement> Fields { get; private set; } = [];

    /// <summary>What was entered, shown again after the API refused it.</summary>
    public Dictionary<string, string> Entered { get; } = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> FieldErrors { get; private set; } = new Dictionary<string, string>();

    public async Task OnGetAsync(string taskId, string userTaskId) => await LoadAsync(taskId, userTaskId);

    public async Task<IActionResult> OnPostAsync(string taskId, string userTaskId)
    {
        await LoadAsync(taskId, userTaskId);
        if (UserTask.ValueKind != JsonValueKind.Object)
        {
            return Page();
        }

        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var field in Fields)
        {
            var id = Text(field, "id");
            var raw = Request.Form[$"field.{id}"].ToString();
            Entered[id] = raw;
            var value = Typed(Text(field, "type"), raw);
            if (value is not null)
            {
                variables[id] = value;
            }
        }

        var result = await Api.PatchAsync(
            $"/tasks/{Uri.EscapeDataString(taskId)}/user-tasks/{Uri.EscapeDataString(userTaskId)}/complete", new { variables }, "complete user tasks");
        if (result.Ok)
        {
            Notice = $"Completed “{Text(UserTask, "name")}”.";
            return RedirectToPage("/TaskDetails", new { id = taskId });
        }

        LoadProblem = result.Error;
        FieldErrors = result.FieldErrors;
        return Page();
    }

    public string Value(JsonElement field) =>
        Entered.TryGetValue(Text(field, "id"), out var entered) ? entered : Text(field, "defaultValue");

    public string? ErrorFor(JsonElement field) => FieldErrors.TryGetValue(Text(field, "id"), out var error) ? error : null;

    public static IReadOnlyList<string> Values(JsonElement field) =>
        field.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array
            ? values.EnumerateArray().Select(v => v.GetString() ?? string.Empty).ToArray()
            : [];

    /// <summary>A hint that says the field's limits, so a person knows them before the service checks them.</summary>
    public static string Hint(JsonElement field)
    {
        var (min, max) = (Text(field, "min"), Text(field, "max"));
        var (minLength, maxLength) = (Text(field, "minLength"), Text(field, "maxLength"));
        return (min, max, minLength, maxLength) switch
        {
            ({ Length: > 0 }, { Length: > 0 }, _, _) => $"From {min} to {max}.",
            ({ Length: > 0 }, _, _, _) => $"At least {min}.",
            (_, { Length: > 0 }, _, _) => $"At most {max}.",
            (_, _, { Length: > 0 }, { Length: > 0 }) => $"{minLength} to {maxLength} characters.",
            (_, _, _, { Length: > 0 }) => $"At most {maxLength} characters.",
            (_, _, { Length: > 0 }, _) => $"At least {minLength} characters.",
            _ => string.Empty,
        };
    }

    /// <summary>
    /// The entered text as the field's type: a whole number for <c>long</c>, true or false for <c>boolean</c>; text the type does
    /// not accept is sent as entered, so the service names the field and says what it wants. Empty means not given.
    /// </summary>
    private static object? Typed(string type, string raw)
    {
        raw = raw.Trim();
        if (raw.Length == 0)
        {
            return type == "boolean" ? false : null;
        }

        return type switch
        {
            "long" when long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => number,
            "boolean" => raw is "true" or "on",
            _ => raw,
        };
    }

    private async Task LoadAsync(string taskId, string userTaskId)
    {
        UserTask = Read(await Api.GetAsync($"/tasks/{Uri.EscapeDataString(taskId)}/user-tasks/{Uri.EscapeDataString(userTaskId)}", "view user tasks"));
        Fields = UserTask.ValueKind == JsonValueKind.Object && UserTask.TryGetProperty("form", out var form) && form.ValueKind == JsonValueKind.Object
                 && form.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Array
            ? fields.EnumerateArray().ToArray()
            : [];
    }
}
