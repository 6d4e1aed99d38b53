using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Tasks;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Gateway.OpenApi;

/// <summary>
/// Makes every operation's responses say what the route answers: the row type of list and read routes (whose handlers return
/// rows as JSON, which the generator sees only as "any JSON"), the include relations on rows, and the problem documents of
/// the 4xx/5xx answers that the gateway's checks, authorization and rate limits give.
/// </summary>
internal sealed class ResponsesTransformer : IOpenApiDocumentTransformer
{
    private const string Problem = "ProblemDetails";
    private const string ProblemMediaType = "application/problem+json";

    /// <summary>Routes answering rows: the row type, whether a list, and the success status.</summary>
    private static readonly Dictionary<string, (Type Row, bool List, string Status)> Rows = new(StringComparer.Ordinal)
    {
        ["GET /events"] = (typeof(EventRecord), true, "200"),
        ["GET /events/{id}"] = (typeof(EventRecord), false, "200"),
        ["GET /events/mapping"] = (typeof(EventWorkflowMapping), true, "200"),
        ["GET /tasks"] = (typeof(TaskRecord), true, "200"),
        ["GET /tasks/{id}"] = (typeof(TaskRecord), false, "200"),
        ["GET /tasks/mapping"] = (typeof(TaskWorkflowMapping), true, "200"),
        ["GET /tasks/{taskId}/user-tasks"] = (typeof(UserTaskRecord), true, "200"),
        ["GET /tasks/{taskId}/user-tasks/{userTaskId}"] = (typeof(UserTaskRecord), false, "200"),
        ["GET /tasks/{taskId}/history"] = (typeof(TaskHistoryEntry), true, "200"),
        ["GET /user-tasks"] = (typeof(UserTaskRecord), true, "200"),
        ["GET /user-tasks/mine"] = (typeof(UserTaskRecord), true, "200"),
        ["GET /workflows"] = (typeof(WorkflowRecord), true, "200"),
        ["GET /workflows/{id}"] = (typeof(WorkflowRecord), false, "200"),
        ["GET /workflow-instances"] = (typeof(WorkflowInstanceSummary), true, "200"),
        ["GET /webhooks"] = (typeof(WebhookSubscriptionRecord), true, "200"),
        ["POST /webhooks/subscribe"] = (typeof(WebhookSubscriptionRecord), false, "201"),
        ["GET /webhooks/{id}/deliveries"] = (typeof(WebhookDeliveryRecord), true, "200"),
        ["GET /webhooks/{id}/deliveries/{deliveryId}"] = (typeof(WebhookDeliveryRecord), false, "200"),
        ["POST /webhooks/{id}/deliveries/{deliveryId}/redeliver"] = (typeof(WebhookDeliveryRecord), false, "202"),
    };

    /// <summary>Row types whose properties may be left out (filter.fields; null values are not written).</summary>
    private static readonly Type[] RowTypes =
    [
        typeof(EventRecord), typeof(EventWorkflowMapping), typeof(TaskRecord), typeof(TaskWorkflowMapping), typeof(UserTaskRecord),
        typeof(WorkflowRecord), typeof(WorkflowInstanceSummary), typeof(WebhookSubscriptionRecord), typeof(WebhookDeliveryRecord),
        typeof(WebhookDeliveryAttemptRecord), typeof(TaskHistoryEntry),
    ];

    /// <summary>Routes that answer 409 when the change conflicts with the entity's state.</summary>
    private static readonly HashSet<string> Conflicts = new(StringComparer.Ordinal)
    {
        "PATCH /tasks/{id}", "DELETE /tasks/{id}", "DELETE /tasks", "PATCH /tasks/{taskId}/user-tasks/{userTaskId}/complete",
        "POST /workflows", "PATCH /workflows/{id}", "DELETE /workflows/{id}", "DELETE /workflows/{id}/version/{version}",
        "POST /workflows/{id}/execute", "POST /workflow-instances/{id}/incidents/{incidentId}/retry",
        "POST /workflow-instances/{id}/external-tasks/{externalTaskId}/complete", "DELETE /workflow-instances/{id}",
        "POST /events/mapping", "POST /tasks/mapping", "PATCH /tasks", "POST /webhooks/{id}/deliveries/{deliveryId}/redeliver",
        "POST /tasks/{taskId}/user-tasks/{userTaskId}/claim", "POST /tasks/{taskId}/user-tasks/{userTaskId}/unclaim",
        "PUT /tasks/{taskId}/user-tasks/{userTaskId}/assignee",
    };

    /// <summary>Routes that reach an external workflow engine, when one is configured (deploy, remove, start, read or change an instance, complete its user tasks).</summary>
    private static readonly HashSet<string> EngineCalls = new(StringComparer.Ordinal)
    {
        "POST /workflows", "PATCH /workflows/{id}", "DELETE /workflows/{id}", "DELETE /workflows/{id}/version/{version}", "POST /workflows/{id}/execute",
        "GET /workflow-instances/{id}", "DELETE /workflow-instances/{id}", "POST /workflow-instances/{id}/incidents/{incidentId}/retry",
        "POST /workflow-instances/{id}/external-tasks/{externalTaskId}/complete",
        "PATCH /tasks/{taskId}/user-tasks/{userTaskId}/complete", "DELETE /tasks/{id}", "DELETE /tasks",
    };

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var type in RowTypes.Append(typeof(WorkflowVersionRecord)))
        {
            await EnsureComponentAsync(document, context, type, cancellationToken);
        }

        DescribeRows(document);
        OmittedNulls(document);
        document.Components.Schemas[Problem] = ProblemSchema();

        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                var key = $"{method.Method.ToUpperInvariant()} {path}";
                operation.Responses ??= [];
                if (Rows.TryGetValue(key, out var row))
                {
                    SetRows(document, operation, row.Row, row.List, row.Status);
                }

                if (key == "DELETE /webhooks/{id}")
                {
                    operation.Responses.Remove("200");
                    operation.Responses["204"] = new OpenApiResponse { Description = "Deleted." };
                }

                AddProblems(document, operation, key, path);
                AddExamples(operation, path);
            }
        }
    }

    private static async Task EnsureComponentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, Type type, CancellationToken cancellationToken)
    {
        if (!document.Components!.Schemas!.ContainsKey(type.Name))
        {
            document.AddComponent(type.Name, await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
        }
    }

    private static void DescribeRows(OpenApiDocument document)
    {
        var schemas = document.Components!.Schemas!;
        foreach (var type in RowTypes)
        {
            if (schemas[type.Name] is OpenApiSchema schema)
            {
                schema.Required = new HashSet<string>();
                schema.Description = "A stored row. Properties that filter.fields leaves out, and null values, are not written.";
            }
        }

        AddRelation(document, nameof(TaskRecord), "userTasks", nameof(UserTaskRecord), "The task's user tasks, with filter include: [\"userTasks\"].");
        AddRelation(document, nameof(WebhookDeliveryRecord), "attempts", nameof(WebhookDeliveryAttemptRecord), "The delivery's attempts, oldest first: always on GET /webhooks/{id}/deliveries/{deliveryId}, with filter include: [\"attempts\"] on the list.");
        AddRelation(document, nameof(WorkflowRecord), "workflowVersions", nameof(WorkflowVersionRecord), "The workflow's versions, with filter include: [\"workflowVersions\"].");
    }

    /// <summary>Answers leave null values out, so a property that may be null is never required to be present.</summary>
    private static void OmittedNulls(OpenApiDocument document)
    {
        foreach (var (_, component) in document.Components!.Schemas!)
        {
            if (component is OpenApiSchema { Required.Count: > 0, Properties: { } properties } schema)
            {
                foreach (var name in schema.Required.Where(n => properties.TryGetValue(n, out var property) && property.Type is { } type && type.HasFlag(JsonSchemaType.Null)).ToArray())
                {
                    schema.Required.Remove(name);
                }
            }
        }
    }

    private static void AddRelation(OpenApiDocument document, string parent, string relation, string target, string description)
    {
        if (document.Components!.Schemas![parent] is OpenApiSchema schema)
        {
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties[relation] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchemaReference(target, document),
                Description = description,
            };
        }
    }

    private static void SetRows(OpenApiDocument document, OpenApiOperation operation, Type row, bool list, string status)
    {
        var reference = new OpenApiSchemaReference(row.Name, document);
        operation.Responses!.Remove("200");
        operation.Responses[status] = new OpenApiResponse
        {
            Description = list ? "The matching rows." : status == "201" ? "Created." : status == "202" ? "Accepted: queued." : "The row.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = list ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = reference } : reference },
            },
        };
    }

    private static void AddProblems(OpenApiDocument document, OpenApiOperation operation, string key, string path)
    {
        var hasBody = operation.RequestBody is not null || key.StartsWith("POST ", StringComparison.Ordinal) || key.StartsWith("PATCH ", StringComparison.Ordinal)
            || key.StartsWith("PUT ", StringComparison.Ordinal);
        AddProblem(document, operation, "400", "A query parameter, path id or body field is invalid; 'errors' names it.");
        AddProblem(document, operation, "401", "No valid bearer token" + (SecurityTransformer.UsesClientAppCredentials(path) ? ", or no valid x-api-key / x-api-secret." : "."));
        AddProblem(document, operation, "403", key is "PATCH /tasks/{taskId}/user-tasks/{userTaskId}/complete" or "POST /tasks/{taskId}/user-tasks/{userTaskId}/unclaim"
            ? "The token lacks the route's permission, or the user task is assigned to someone else and the token lacks the override permission 16014."
            : "The token lacks the route's permission.");
        if (path.Contains('{', StringComparison.Ordinal))
        {
            AddProblem(document, operation, "404", "No such entity.");
        }

        if (Conflicts.Contains(key))
        {
            AddProblem(document, operation, "409", "The change conflicts with the entity's state.");
        }

        AddProblem(document, operation, "413", hasBody ? "The body is larger than TaskService:Limits allows." : "A body was sent to a route that reads none.");
        AddProblem(document, operation, "415", hasBody ? "The body is not JSON." : "A body was sent to a route that reads none.");

        AddProblem(document, operation, "429", "Too many requests from this caller; retry after Retry-After.");
        if (key == "POST /events/trigger")
        {
            AddProblem(document, operation, "422", "The id (Idempotency-Key, x-request-id or the body's id) names an event recorded before with other content.");
            AddProblem(document, operation, "503", "Over the configured backlog; retry after Retry-After.");
        }
        else if (EngineCalls.Contains(key))
        {
            AddProblem(document, operation, "503", "The workflow engine (Camunda) could not be reached; nothing was changed; retry after Retry-After.");
        }
    }

    private static void AddProblem(OpenApiDocument document, OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses!.TryGetValue(status, out var declared))
        {
            // A handler's typed problem result (NotFoundProblem, ConflictProblem, ...) declared the status; say what it means here.
            if (declared is OpenApiResponse response)
            {
                response.Description = description;
            }

            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemMediaType] = new() { Schema = new OpenApiSchemaReference(Problem, document) },
            },
        };
    }

    private static void AddExamples(OpenApiOperation operation, string path)
    {
        if (path.EndsWith("/count", StringComparison.Ordinal) && operation.Responses!.TryGetValue("200", out var ok) && ok.Content?.TryGetValue("application/json", out var media) == true)
        {
            media.Example = JsonNode.Parse("""{"count": 3}""");
        }
    }

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An RFC 7807 problem document. No stack traces, paths or type names.",
        Required = new HashSet<string> { "status" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "The invalid fields or parameters, each with what is wrong.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
        Examples = [JsonNode.Parse("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"filter":["Unknown field 'foo' for task."]}}""")!],
    };
}
