using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using TaskService.Gateway.Http;

namespace TaskService.Gateway.OpenApi;

/// <summary>
/// Declares the LoopBack <c>filter</c> and <c>where</c> query parameters, and the <c>cascade</c> flag, of the routes that read them
/// (<see cref="AcceptedQueryParameters"/>): handlers read them from the request, so the generator cannot see them.
/// </summary>
internal sealed class FilterParametersTransformer : IOpenApiOperationTransformer
{
    private const string BracketNote = " The qs bracket form is read as well (filter[where][status]=pending, filter[order][0]=name ASC, " +
                                       "where[key]=x); give one form, not both. An unknown key or a value that cannot be read is a 400.";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var accepted = context.Description.ActionDescriptor.EndpointMetadata.OfType<AcceptedQueryParameters>().LastOrDefault();
        if (accepted is null)
        {
            return Task.CompletedTask;
        }

        operation.Parameters ??= [];
        if (accepted.Names.Contains(QueryParameters.FilterName) && !Declared(operation, QueryParameters.FilterName))
        {
            operation.Parameters.Add(JsonParameter(QueryParameters.FilterName,
                "A LoopBack filter: where (and, or, eq, neq, gt, gte, lt, lte, inq, nin, like, ilike, between), order, limit (1 to 1000), " +
                "skip or offset, fields, include (tasks: userTasks; workflows: workflowVersions; webhook deliveries: attempts; each with a scope)." + BracketNote,
                """{"where":{"status":"pending"},"order":["createdOn DESC"],"limit":10}"""));
        }

        if (accepted.Names.Contains(QueryParameters.WhereName) && !Declared(operation, QueryParameters.WhereName))
        {
            operation.Parameters.Add(JsonParameter(QueryParameters.WhereName,
                "A LoopBack where clause." + BracketNote + (context.Description.HttpMethod is "PATCH" or "DELETE" && context.Description.RelativePath == "tasks"
                    ? " Required here: where={} matches every task."
                    : ""),
                """{"status":"pending"}"""));
        }

        if (accepted.Names.Contains(QueryParameters.CascadeName) && !Declared(operation, QueryParameters.CascadeName))
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = QueryParameters.CascadeName,
                In = ParameterLocation.Query,
                Description = "true (the default) also deletes the task's user tasks and ends its workflow instance; false refuses (409) a task that still has user tasks.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Boolean },
            });
        }

        return Task.CompletedTask;
    }

    private static bool Declared(OpenApiOperation operation, string name) =>
        operation.Parameters!.Any(p => p.Name == name && p.In == ParameterLocation.Query);

    private static OpenApiParameter JsonParameter(string name, string description, string example) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new()
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.Object },
                Example = JsonNode.Parse(example),
            },
        },
    };
}
