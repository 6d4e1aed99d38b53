using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Storage;
using TaskService.Workflows.Bpmn;

namespace TaskService.Workflows;

/// <summary>Parses and validates BPMN files, and keeps the parsed processes of deployed versions.</summary>
public sealed class WorkflowDefinitions(ITaskServiceStore store, IOptions<LimitsOptions> limits)
{
    private readonly ConcurrentDictionary<(string WorkflowId, int Version), BpmnProcess> _processes = new();

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
    public async Task<BpmnProcess> GetProcessAsync(string workflowId, int version, CancellationToken cancellationToken = default)
    {
        if (_processes.TryGetValue((workflowId, version), out var cached))
        {
            return cached;
        }

        var aggregate = await store.LoadWorkflowAsync(workflowId, cancellationToken)
            ?? throw TaskServiceException.NotFound("workflow", workflowId);
        var deployed = aggregate.Versions.FirstOrDefault(v => v.Version == version)
            ?? throw TaskServiceException.NotFound("workflow version", $"{workflowId}/{version}");
        var process = ParseForDeployment(deployed.BpmnDiagram, limits.Value).OrThrow();
        _processes[(workflowId, version)] = process;
        return process;
    }
}
