using System.Collections.Frozen;
using System.Text.Json;
using TaskService.Errors;

namespace TaskService.Gateway.Apis;

/// <summary>
/// Properties of the original's models that the service fills itself: the id and the audit fields, and a workflow's deployment
/// fields. The original's request schemas declare them, so a client that read an entity and sends it back (as LoopBack SDKs
/// and sourceloop front ends do) sends them; they are accepted and ignored. Any other property a request does not know is a
/// 400 naming it, so a misspelt field never turns into a silent no-op.
/// </summary>
public static class OriginalModelFields
{
    /// <summary>The id and the audit fields of every <c>UserModifiableEntity</c> of the original (tasks, mappings, workflows).</summary>
    public static FrozenSet<string> Audit { get; } = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "id", "createdOn", "modifiedOn", "createdBy", "modifiedBy", "deleted", "deletedOn", "deletedBy");

    /// <summary>A workflow as <c>GET /workflows/{id}</c> answers it: the audit fields and what a deployment decides.</summary>
    public static FrozenSet<string> Workflow { get; } = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        [.. Audit, "workflowVersion", "externalIdentifier", "provider", "workflowVersions"]);

    /// <summary>
    /// Checks the properties a request body did not map: each must be one of <paramref name="accepted"/>. <c>deleted: true</c>
    /// is refused: a row is deleted with DELETE, which records who deleted it.
    /// </summary>
    public static Problem? Check(IReadOnlyDictionary<string, JsonElement>? unmapped, FrozenSet<string> accepted)
    {
        if (unmapped is null)
        {
            return null;
        }

        foreach (var (name, value) in unmapped)
        {
            if (!accepted.Contains(name))
            {
                return Problem.Invalid(name, $"The request body holds the property '{name}', which this route does not take.");
            }

            if (name.Equals("deleted", StringComparison.OrdinalIgnoreCase) && value.ValueKind == JsonValueKind.True)
            {
                return Problem.Invalid(name, "'deleted' cannot be set here; delete with the DELETE route, which records who deleted it.");
            }
        }

        return null;
    }
}
