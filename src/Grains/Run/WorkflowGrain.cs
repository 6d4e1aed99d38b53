using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Workflows.Camunda;

namespace TaskService.Workflows;

/// <summary>
/// One per workflow: deploys its versions to the embedded engine (and, when a <see cref="IWorkflowDeployer"/> is registered, to
/// that engine too) and starts instances. Its state is its rows in the store.
/// </summary>
public sealed class WorkflowGrain(ITaskServiceStore store, TimeProvider time, IOptions<LimitsOptions> limits, IWorkflowDeployer? deployer = null) : Grain, IWorkflowGrain
{
    private WorkflowAggregate? _state;

    /// <summary>The grain's key, decoded once (each decoding allocates a new string).</summary>
    private string WorkflowId => _workflowId ??= this.GetPrimaryKeyString();

    private string? _workflowId;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        _state = await store.LoadWorkflowAsync(WorkflowId, cancellationToken);

    public async Task<Outcome<WorkflowRecord>> CreateAsync(NewWorkflow workflow, string? userId = null)
    {
        if (_state is not null)
        {
            return Problem.Conflict("id", $"Workflow '{WorkflowId}' exists already.");
        }

        if ((Problem.MissingText(workflow.Name, "name") ?? Problem.MissingText(workflow.BpmnFile, "bpmnFile")
            ?? InputSchemaValidator.SchemaProblem(workflow.InputSchema, limits.Value)) is { } invalid)
        {
            return invalid;
        }

        var parsed = WorkflowDefinitions.ParseForDeployment(workflow.BpmnFile, limits.Value);
        if (parsed.Value is not { } process)
        {
            return parsed.Problem!;
        }

        // The store refuses a second live workflow of the same process as well; asking first keeps that refusal for a race.
        if ((await store.FindLiveWorkflowAsync(process.Id))?.Id is { } other && other != WorkflowId)
        {
            return Problem.Conflict("bpmnFile", $"Workflow '{other}' already deploys process '{process.Id}'; deploy a new version of it with PATCH /workflows/{other}.");
        }

        var deployed = await DeployAsync(process.Id, 1, workflow.BpmnFile);
        if (deployed.Value is not { } externalId)
        {
            return deployed.Problem!;
        }

        var now = time.GetUtcNow();
        var record = new WorkflowRecord
        {
            Id = WorkflowId,
            Name = workflow.Name,
            Description = workflow.Description,
            ExternalIdentifier = process.Id,
            Provider = deployer?.Provider ?? WorkflowProviders.Embedded,
            WorkflowVersion = 1,
            InputSchema = workflow.InputSchema,
            CreatedOn = now,
            ModifiedOn = now,
            CreatedBy = userId,
            ModifiedBy = userId,
        };
        await SaveAsync(new WorkflowAggregate(record, [NewVersion(1, workflow.BpmnFile, externalId, workflow.InputSchema, now)]));
        return record;
    }

    public Task<WorkflowRecord?> GetAsync() => Task.FromResult(_state?.Workflow);

    public Task<IReadOnlyList<WorkflowVersionRecord>> GetVersionsAsync() => Task.FromResult(_state?.Versions ?? []);

    public async Task<Outcome<WorkflowRecord>> UpdateAsync(WorkflowUpdate update, string? userId = null)
    {
        if (_state is not { } state)
        {
            return NotFound();
        }

        var now = time.GetUtcNow();
        var workflow = state.Workflow;
        var versions = state.Versions;
        if (update.InputSchema is { } schema && InputSchemaValidator.SchemaProblem(schema, limits.Value) is { } invalidSchema)
        {
            return invalidSchema;
        }

        if (update.Name is { } newName && Problem.MissingText(newName, "name") is { } noName)
        {
            return noName;
        }

        var latest = versions.Single(v => v.Version == workflow.WorkflowVersion);
        if (update.BpmnFile is { } bpmn && bpmn != latest.BpmnDiagram)
        {
            if (Problem.MissingText(bpmn, "bpmnFile") is { } noBpmn)
            {
                return noBpmn;
            }

            var parsed = WorkflowDefinitions.ParseForDeployment(bpmn, limits.Value);
            if (parsed.Value is not { } process)
            {
                return parsed.Problem!;
            }

            if (process.Id != workflow.ExternalIdentifier)
            {
                return Problem.Invalid("bpmnFile",
                    $"The new BPMN file's process id is '{process.Id}', but workflow '{WorkflowId}' deploys process '{workflow.ExternalIdentifier}'. Keep the process id, or create a new workflow.");
            }

            var next = versions.Max(v => v.Version) + 1;
            var deployed = await DeployAsync(process.Id, next, bpmn);
            if (deployed.Value is not { } externalId)
            {
                return deployed.Problem!;
            }

            versions = [.. versions, NewVersion(next, bpmn, externalId, update.ResetsInputSchema ? WorkflowInputSchemas.Default : update.InputSchema ?? workflow.InputSchema, now)];
            workflow = workflow with { WorkflowVersion = next, Provider = deployer?.Provider ?? workflow.Provider };
        }

        workflow = workflow with
        {
            Name = update.Name ?? workflow.Name,
            Description = update.ClearsDescription ? null : update.Description ?? workflow.Description,
            InputSchema = update.ResetsInputSchema ? WorkflowInputSchemas.Default : update.InputSchema ?? workflow.InputSchema,
            ModifiedOn = now,
            ModifiedBy = userId,
        };
        await SaveAsync(new WorkflowAggregate(workflow, versions));
        return workflow;
    }

    public async Task<Outcome> DeleteAsync(string? userId = null)
    {
        if (_state is not { } state)
        {
            return NotFound();
        }

        if (await ActiveInstancesAsync(null) is { } active)
        {
            return active;
        }

        // As the original, the versions' process definitions leave the external engine with their (ended) instances; a
        // delete that fails half-way is repeated whole, and a definition gone already is no error.
        foreach (var version in state.Versions)
        {
            if ((await RemoveFromEngineAsync(state.Workflow, version, withInstances: true)).Problem is { } refused)
            {
                return refused;
            }
        }

        // The original soft-deletes: the row stays, marked deleted, hidden from every read; its process id is free again.
        var deleted = state.Workflow with { Deleted = true, DeletedOn = time.GetUtcNow(), DeletedBy = userId };
        await store.SaveWorkflowAsync(state with { Workflow = deleted });
        _state = null;
        DeactivateOnIdle();
        return Outcome.Ok;
    }

    public async Task<Outcome> DeleteVersionAsync(int version)
    {
        if (_state is not { } state)
        {
            return NotFound();
        }

        if (state.Versions.All(v => v.Version != version))
        {
            return Problem.NotFound("workflow version", $"{WorkflowId}/{version}");
        }

        if (version == state.Workflow.WorkflowVersion)
        {
            return Problem.Invalid("version", $"Version {version} is the latest version of workflow '{WorkflowId}' and cannot be deleted; delete the workflow instead.");
        }

        if (await ActiveInstancesAsync(version) is { } active)
        {
            return active;
        }

        if ((await RemoveFromEngineAsync(state.Workflow, state.Versions.Single(v => v.Version == version), withInstances: false)).Problem is { } refused)
        {
            return refused;
        }

        await SaveAsync(state with { Versions = state.Versions.Where(v => v.Version != version).ToArray() });
        return Outcome.Ok;
    }

    public async Task<Outcome<WorkflowInstanceDetails>> ExecuteAsync(JsonElement input, int? version)
    {
        if (_state is not { } state)
        {
            return NotFound();
        }

        var chosen = version ?? state.Workflow.WorkflowVersion;
        var deployed = state.Versions.FirstOrDefault(v => v.Version == chosen);
        if (deployed is null)
        {
            return Problem.NotFound("workflow version", $"{WorkflowId}/{chosen}");
        }

        if (input.ValueKind != JsonValueKind.Object)
        {
            return Problem.Invalid("input", "'input' must be a JSON object; its properties become the instance's variables.");
        }

        if (InputSchemaValidator.InputProblem(deployed.InputSchema, input, limits.Value) is { } invalid)
        {
            return invalid;
        }

        var instanceId = Common.DeterministicId.NewId();
        var start = new WorkflowStartRequest
        {
            WorkflowId = WorkflowId,
            Version = chosen,
            Variables = input,
        };

        // Camunda may refuse the start (the variables, or the start itself): its instance grain, which serves
        // IWorkflowInstanceGrain where Camunda is the engine, answers that as a problem. The embedded engine's instances start
        // without refusal.
        return deployer?.Provider == WorkflowProviders.Camunda
            ? await GrainFactory.GetGrain<ICamundaInstanceGrain>(instanceId).StartVersionAsync(start)
            : await GrainFactory.GetGrain<IWorkflowInstanceGrain>(instanceId).StartAsync(start);
    }

    /// <summary>A conflict when instances of the workflow (or of one version) are still active; null when none are.</summary>
    private async Task<Problem?> ActiveInstancesAsync(int? version)
    {
        var conditions = new List<FilterNode>
        {
            new ConditionNode(["workflowId"], FilterOperator.Eq, JsonElementFactory.From(WorkflowId)),
            new ConditionNode(["status"], FilterOperator.Eq, JsonElementFactory.From("active")),
        };
        if (version is { } v)
        {
            conditions.Add(new ConditionNode(["version"], FilterOperator.Eq, JsonElementFactory.From(v)));
        }

        var active = await store.CountAsync(EntityKind.WorkflowInstance, new AndNode(conditions));
        if (active > 0)
        {
            var what = version is null ? $"workflow '{WorkflowId}'" : $"version {version} of workflow '{WorkflowId}'";
            return Problem.Conflict("workflow", $"{active} instance(s) of {what} are still active; cancel them (DELETE /workflow-instances/{{id}}) first.");
        }

        return null;
    }

    /// <summary>Deploys the version to the external engine, if any, and returns the engine's id of its definition.</summary>
    private async Task<Outcome<string>> DeployAsync(string processId, int version, string bpmn) =>
        deployer is null
            ? $"{processId}:{version.ToString(CultureInfo.InvariantCulture)}:{WorkflowId}"
            : await deployer.DeployAsync(WorkflowId, version, processId, bpmn);

    /// <summary>Removes the version's process definition from the external engine it was deployed to, if any.</summary>
    private async Task<Outcome> RemoveFromEngineAsync(WorkflowRecord workflow, WorkflowVersionRecord version, bool withInstances) =>
        deployer is not null && workflow.Provider == deployer.Provider
            ? await deployer.RemoveAsync(version.ExternalWorkflowId, withInstances)
            : Outcome.Ok;

    private WorkflowVersionRecord NewVersion(int version, string bpmn, string externalId, JsonElement inputSchema, DateTimeOffset now) => new()
    {
        WorkflowId = WorkflowId,
        Version = version,
        BpmnDiagram = bpmn,
        ExternalWorkflowId = externalId,
        InputSchema = inputSchema,
        CreatedOn = now,
    };

    private Problem NotFound() => Problem.NotFound("workflow", WorkflowId);

    private async Task SaveAsync(WorkflowAggregate state)
    {
        await store.SaveWorkflowAsync(state);
        _state = state;
    }
}
