using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace TaskService.Gateway.Ui.Pages;

/// <summary>
/// A workflow instance: its BPMN diagram drawn from the file's diagram interchange with the active elements highlighted and
/// incidents marked, and retry (per incident) and cancel (the instance) for operators.
/// </summary>
public sealed class InstanceModel(UiApiClient api) : UiPageModel(api)
{
    public JsonElement Details { get; private set; }

    public BpmnDiagram Diagram { get; private set; } = BpmnDiagram.Parse(string.Empty);

    public HashSet<string> Active { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Failed { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<JsonElement> Incidents { get; private set; } = [];

    public JsonElement Instance => Details.GetProperty("instance");

    public async Task OnGetAsync(string id)
    {
        Details = Read(await Api.GetAsync(InstancePath(id), "view workflow instances"));
        if (Details.ValueKind != JsonValueKind.Object || !Details.TryGetProperty("instance", out _))
        {
            Details = default;
            return;
        }

        foreach (var element in Items(Details, "activeElements"))
        {
            Active.Add(Text(element, "elementId"));
        }

        Incidents = Items(Details, "incidents");
        foreach (var incident in Incidents)
        {
            Failed.Add(Text(incident, "elementId"));
        }

        var workflow = Read(await Api.GetAsync(
            $"/workflows/{Uri.EscapeDataString(Text(Instance, "workflowId"))}?{UiApiClient.Filter(new { include = new[] { "workflowVersions" } })}", "view workflows"));
        var version = Text(Instance, "version");
        if (workflow.ValueKind == JsonValueKind.Object &&
            Items(workflow, "workflowVersions").FirstOrDefault(v => Text(v, "version") == version) is { ValueKind: JsonValueKind.Object } match)
        {
            Diagram = BpmnDiagram.Parse(Text(match, "bpmnDiagram"));
        }
    }

    public async Task<IActionResult> OnPostRetryAsync(string id, string incidentId) =>
        Done(await Api.PostAsync($"{InstancePath(id)}/incidents/{Uri.EscapeDataString(incidentId)}/retry", null, "retry incidents"),
            "Retried: the step runs again.", values: new { id });

    public async Task<IActionResult> OnPostCancelAsync(string id) =>
        Done(await Api.DeleteAsync(InstancePath(id), "cancel workflow instances"), "Canceled the instance.", values: new { id });

    public string ShapeClass(DiagramShape shape) =>
        string.Join(' ', new[]
        {
            "shape", shape.Kind.ToString().ToLowerInvariant(), shape.IsEnd ? "end" : null,
            Active.Contains(shape.ElementId) ? "active" : null, Failed.Contains(shape.ElementId) ? "failed" : null,
        }.Where(c => c is not null));

    /// <summary>What a screen reader says for a shape: its name, kind and state.</summary>
    public string ShapeLabel(DiagramShape shape) =>
        $"{shape.Name ?? shape.ElementId} ({shape.Tag}){(Active.Contains(shape.ElementId) ? ", active" : null)}{(Failed.Contains(shape.ElementId) ? ", incident" : null)}";

    private static string InstancePath(string id) => $"/workflow-instances/{Uri.EscapeDataString(id)}";
}
