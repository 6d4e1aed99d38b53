using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace TaskService.Gateway.Ui.Pages;

/// <summary>The deployed workflows, and deploying a BPMN file by upload.</summary>
public sealed class WorkflowsModel(UiApiClient api) : UiPageModel(api)
{
    /// <summary>The largest BPMN file the form takes; the API applies its own limit too.</summary>
    public const long MaxFileBytes = 4 * 1024 * 1024;

    public IReadOnlyList<JsonElement> Rows { get; private set; } = [];

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public IFormFile? Upload { get; set; }

    public string? NameError { get; private set; }

    public string? FileError { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostDeployAsync()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            NameError = "Enter a name.";
        }

        if (Upload is null || Upload.Length == 0)
        {
            FileError = "Choose a BPMN file.";
        }
        else if (Upload.Length > MaxFileBytes)
        {
            FileError = $"The file is larger than {MaxFileBytes / 1024 / 1024} MiB.";
        }

        if (NameError is not null || FileError is not null)
        {
            await LoadAsync();
            return Page();
        }

        string bpmn;
        using (var reader = new StreamReader(Upload!.OpenReadStream()))
        {
            bpmn = await reader.ReadToEndAsync(HttpContext.RequestAborted);
        }

        var result = await Api.PostAsync("/workflows", new { name = Name!.Trim(), bpmnFile = bpmn, inputSchema = new { type = "object" } }, "deploy workflows");
        if (result.Ok)
        {
            Notice = $"Deployed “{Name.Trim()}” as version {Text(result.Body, "workflowVersion")}.";
            return RedirectToPage("/Workflow", new { id = Text(result.Body, "id") });
        }

        LoadProblem = result.Error;
        FileError = result.FieldErrors.TryGetValue("bpmnFile", out var error) ? error : null;
        NameError = result.FieldErrors.TryGetValue("name", out var nameError) ? nameError : null;
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync() =>
        Rows = (await Api.GetAsync($"/workflows?{UiApiClient.Filter(new { order = "name ASC", limit = 200 })}", "view workflows")) is var r && !r.Ok
            ? Fail(r)
            : r.Items.ToArray();

    private JsonElement[] Fail(ApiResult result)
    {
        LoadProblem ??= result.Error;
        return [];
    }
}
