using System.Text.Json;

namespace TaskService.Gateway.Ui.Pages;

/// <summary>One workflow: its versions and its latest instances.</summary>
public sealed class WorkflowModel(UiApiClient api) : UiPageModel(api)
{
    public JsonElement Workflow { get; private set; }

    public IReadOnlyList<JsonElement> Versions { get; private set; } = [];

    public IReadOnlyList<JsonElement> Instances { get; private set; } = [];

    public async Task OnGetAsync(string id)
    {
        var found = Read(await Api.GetAsync($"/workflows/{Uri.EscapeDataString(id)}", "view workflows"));
        if (found.ValueKind != JsonValueKind.Object || !found.TryGetProperty("workflow", out var workflow))
        {
            return;
        }

        Workflow = workflow;
        Versions = Items(found, "versions").OrderByDescending(v => int.TryParse(Text(v, "version"), out var n) ? n : 0).ToArray();
        var instances = Read(await Api.GetAsync(
            $"/workflow-instances?{UiApiClient.Filter(new { where = new { workflowId = id }, order = "createdOn DESC", limit = 50 })}", "view workflow instances"));
        Instances = instances.ValueKind == JsonValueKind.Array ? instances.EnumerateArray().ToArray() : [];
    }
}
