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
        var found = Read(await Api.GetAsync(
            $"/workflows/{Uri.EscapeDataString(id)}?{UiApiClient.Filter(new { include = new[] { "workflowVersions" } })}", "view workflows"));
        if (found.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        Workflow = found;
        Versions = Items(found, "workflowVersions").OrderByDescending(v => int.TryParse(Text(v, "version"), out var n) ? n : 0).ToArray();
        var instances = Read(await Api.GetAsync(
            $"/workflow-instances?{UiApiClient.Filter(new { where = new { workflowId = id }, order = "createdOn DESC", limit = 50 })}", "view workflow instances"));
        Instances = instances.ValueKind == JsonValueKind.Array ? instances.EnumerateArray().ToArray() : [];
    }
}
