namespace TaskService.Queries;

/// <summary>How a field's values compare in filters and sort.</summary>
[GenerateSerializer, Alias("TaskService.FieldType")]
public enum FieldType
{
    String = 0,
    Number = 1,
    Boolean = 2,

    /// <summary>ISO 8601 date-time; compared as an instant.</summary>
    DateTime = 3,

    /// <summary>A JSON document; filters reach into it with dotted paths such as <c>payload.customer.id</c>.</summary>
    Json = 4,
}
