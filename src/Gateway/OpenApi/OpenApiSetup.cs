namespace TaskService.Gateway.OpenApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>, made to say what the routes really answer.</summary>
public static class OpenApiSetup
{
    public static IServiceCollection AddTaskServiceOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddOperationTransformer<FilterParametersTransformer>();
            options.AddSchemaTransformer<OriginalModelFieldsTransformer>();
            options.AddDocumentTransformer<ResponsesTransformer>();
            options.AddDocumentTransformer<SecurityTransformer>();
        });
}
