using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Storage;
using TaskService.Workflows.Bpmn;

namespace TaskService.Workflows;

/// <summary>Parses and validates BPMN files, and keeps the parsed processes of deployed versions.</summary>
/// <remarks>
/// Callers that want a version not parsed yet at the same time share one read and one parse: a silo that starts under load
/// gets a burst of instances of each workflow at once, and a read each made the data source open a connection for every one.
/// </remarks>
public sealed class WorkflowDefinitions(ITaskServiceStore store, IOptions<LimitsOptions> limits)
{
    private readonly ConcurrentDictionary<(string WorkflowId, int Version), Task<BpmnProcess>> _processes = new();

    /// <summary>Parses a BPMN file for deployment; anything the engine cannot run is a problem (400) naming the element.</summary>
    public static Outcome<BpmnProcess> ParseForDeployment(string bpmnFile, LimitsOptions limits)
    {
        var parsed = BpmnParser.Parse(bpmnFile, limits);
        if (!parsed.IsOk)
        {
            return parsed.Problem;
        }

        var processes = parsed.Value!;
        return processes.Count switch
        {
            1 => processes[0],
            _ => Problem.Invalid("bpmnFile",
                $"The BPMN file holds {processes.Count} executable processes ({string.Join(", ", processes.Select(p => p.Id))}); a workflow deploys exactly one. Mark the others isExecutable=\"false\" or deploy them as workflows of their own."),
        };
    }

    /// <summary>The parsed process of a deployed version.</summary>
    /// <remarks>
    /// The read and parse are shared, so they run whatever any one caller does with its <paramref name="cancellationToken"/>: a
    /// caller that gives up stops waiting, and the others still get the process.
    /// </remarks>
    public Task<BpmnProcess> GetProcessAsync(string workflowId, int version, CancellationToken cancellationToken = default) =>
        SharedReads.JoinOrStartAsync(_processes, (workflowId, version), () => LoadAsync(workflowId, version), keep: true, cancellationToken);

    /// <summary>Reads and parses a version; a failure is not kept (the next caller reads again: the version may be deployed by then).</summary>
    private async Task<BpmnProcess> LoadAsync(string workflowId, int version)
    {
        var aggregate = await store.LoadWorkflowAsync(workflowId).ConfigureAwait(false)
            ?? throw TaskServiceException.NotFound("workflow", workflowId);
        var deployed = aggregate.Versions.FirstOrDefault(v => v.Version == version)
            ?? throw TaskServiceException.NotFound("workflow version", $"{workflowId}/{version}");
        return ParseForDeployment(deployed.BpmnDiagram, limits.Value).OrThrow();
    }
}
