using System.Text.Json;
using System.Text.Json.Nodes;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Storage.InMemory;

namespace TaskService.Queries;

/// <summary>
/// Adds LoopBack <c>include</c> relations to rows read from the store: each row gets, under the relation's name, the related
/// rows the scope selects (where, order and fields over all of them; skip and limit for each parent, as LoopBack does).
/// A row without related rows gets no property, as in LoopBack. Related user tasks are read in one store query for all
/// parents; workflow versions are read with their workflow.
/// </summary>
public sealed class IncludeResolver(ITaskServiceStore store)
{
    private readonly ITaskServiceStore _store = store;

    public async Task<IReadOnlyList<JsonElement>> ListAsync(EntityKind kind, QueryFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Include.Count == 0)
        {
            return await _store.ListAsync(kind, filter, cancellationToken);
        }

        var schema = EntitySchemas.For(kind);
        var rows = await _store.ListAsync(kind, filter with { Fields = WithField(schema, filter.Fields, "id"), Include = [] }, cancellationToken);
        return await AttachAsync(schema, rows, filter, cancellationToken);
    }

    public async Task<JsonElement?> GetAsync(EntityKind kind, string id, QueryFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var schema = EntitySchemas.For(kind);
        var fields = filter.Include.Count == 0 ? filter.Fields : WithField(schema, filter.Fields, "id");
        if (await _store.GetAsync(kind, id, fields, cancellationToken) is not { } row)
        {
            return null;
        }

        return filter.Include.Count == 0 ? row : (await AttachAsync(schema, [row], filter, cancellationToken))[0];
    }

    private async Task<IReadOnlyList<JsonElement>> AttachAsync(EntitySchema schema, IReadOnlyList<JsonElement> rows, QueryFilter filter, CancellationToken cancellationToken)
    {
        var objects = rows.Select(r => JsonNode.Parse(r.GetRawText())!.AsObject()).ToArray();
        var ids = objects.Select(o => o["id"]!.GetValue<string>()).ToArray();
        foreach (var include in filter.Include)
        {
            var relation = schema.Relations[include.Relation];
            var related = ids.Length == 0 ? [] : await RelatedAsync(relation, ids, include.Scope, cancellationToken);
            var byParent = related.GroupBy(r => r[relation.ForeignKey]?.GetValue<string>() ?? "", StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
            var dropKey = include.Scope.Fields is { } scopeFields && !scopeFields.Contains(relation.ForeignKey);
            for (var i = 0; i < objects.Length; i++)
            {
                if (!byParent.TryGetValue(ids[i], out var mine))
                {
                    continue;
                }

                IEnumerable<JsonObject> page = mine.Skip(include.Scope.Skip);
                if (include.Scope.Limit is { } limit)
                {
                    page = page.Take(limit);
                }

                var items = page.Select(r => (JsonNode?)(dropKey ? Without(r, relation.ForeignKey) : r.DeepClone())).ToArray();
                if (items.Length > 0)
                {
                    objects[i][relation.Name] = new JsonArray(items);
                }
            }
        }

        var dropId = filter.Fields is { } fields && !fields.Contains("id");
        return objects.Select(o => JsonSerializer.SerializeToElement(dropId ? Without(o, "id") : o)).ToArray();
    }

    /// <summary>The related rows of every parent in <paramref name="parentIds"/>, filtered and ordered by the scope, not paged.</summary>
    private async Task<IReadOnlyList<JsonObject>> RelatedAsync(EntityRelation relation, string[] parentIds, QueryFilter scope, CancellationToken cancellationToken)
    {
        var target = relation.Target;
        var fields = WithField(target, scope.Fields, relation.ForeignKey);
        if (target.Kind == EntityKind.WorkflowVersion)
        {
            var versions = new List<JsonObject>();
            foreach (var workflowId in parentIds)
            {
                if (await _store.LoadWorkflowAsync(workflowId, cancellationToken) is { } workflow)
                {
                    versions.AddRange(workflow.Versions.Select(v => JsonSerializer.SerializeToNode(v, ContractJson.Options)!.AsObject()));
                }
            }

            return FilterEvaluator.Apply(versions, scope with { Skip = 0, Limit = null, Fields = fields, Include = [] }, target).ToArray();
        }

        var inParents = new ConditionNode([relation.ForeignKey], FilterOperator.Inq, JsonSerializer.SerializeToElement(parentIds));
        var where = scope.Where is null ? (FilterNode)inParents : new AndNode([inParents, scope.Where]);
        var rows = await _store.ListAsync(target.Kind, scope with { Where = where, Skip = 0, Limit = null, Fields = fields, Include = [] }, cancellationToken);
        return rows.Select(r => JsonNode.Parse(r.GetRawText())!.AsObject()).ToArray();
    }

    /// <summary>The requested fields plus <paramref name="field"/>, in schema order; null (all fields) stays null.</summary>
    private static string[]? WithField(EntitySchema schema, IReadOnlyList<string>? fields, string field) =>
        fields is null ? null : schema.Fields.Keys.Where(f => f == field || fields.Contains(f)).ToArray();

    private static JsonObject Without(JsonObject row, string field)
    {
        var copy = (JsonObject)row.DeepClone();
        copy.Remove(field);
        return copy;
    }
}
