using System.Collections.Frozen;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using TaskService.Gateway.Apis;

namespace TaskService.Gateway.OpenApi;

/// <summary>
/// Request bodies that accept the original's id and audit fields (<see cref="OriginalModelFields"/>) say so: each such field is
/// listed, with the JSON type it must have (or null), as accepted and ignored, and no other property is allowed.
/// </summary>
internal sealed class OriginalModelFieldsTransformer : IOpenApiSchemaTransformer
{
    private static readonly Dictionary<Type, FrozenDictionary<string, Type>> Accepted = new()
    {
        [typeof(WorkflowRequest)] = OriginalModelFields.Workflow,
        [typeof(TaskPatchRequest)] = OriginalModelFields.Audit,
        [typeof(EventMappingRequest)] = OriginalModelFields.Audit,
        [typeof(TaskMappingRequest)] = OriginalModelFields.Audit,
    };

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (!Accepted.TryGetValue(context.JsonTypeInfo.Type, out var fields))
        {
            return Task.CompletedTask;
        }

        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (field, type) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            schema.Properties.TryAdd(field, new OpenApiSchema
            {
                Type = JsonType(type) | JsonSchemaType.Null,
                Format = type == typeof(DateTimeOffset) ? "date-time" : null,
                Description = field == "deleted"
                    ? "Accepted as the original's model declares it and ignored; true is refused (delete with DELETE)."
                    : "Accepted as the original's model declares it and ignored: the service fills it.",
            });
        }

        schema.AdditionalPropertiesAllowed = false;
        return Task.CompletedTask;
    }

    private static JsonSchemaType JsonType(Type type) =>
        type == typeof(bool) ? JsonSchemaType.Boolean
        : type == typeof(double) ? JsonSchemaType.Number
        : type.IsArray ? JsonSchemaType.Array
        : JsonSchemaType.String;
}
