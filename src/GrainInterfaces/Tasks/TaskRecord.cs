using System.Text.Json;

namespace TaskService.Tasks;

/// <summary>An actionable task created by a workflow.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.TaskRecord")]
public sealed record TaskRecord
{
    [Id(0)] public required string Id { get; init; }

    /// <summary>Identifies the kind of task; task-to-workflow mappings match on it.</summary>
    [Id(1)] public required string Key { get; init; }

    [Id(2)] public required string Name { get; init; }

    [Id(3)] public string? Description { get; init; }

    [Id(4)] public TaskRecordStatus Status { get; init; }

    [Id(5)] public string? Priority { get; init; }

    [Id(6)] public string? Severity { get; init; }

    [Id(7)] public string? Type { get; init; }

    [Id(8)] public string? AssigneeId { get; init; }

    [Id(9)] public DateTimeOffset? StartDate { get; init; }

    [Id(10)] public DateTimeOffset? DueDate { get; init; }

    [Id(11)] public DateTimeOffset? EndDate { get; init; }

    /// <summary>Free-form data the creating workflow attached to the task.</summary>
    [Id(12)] public JsonElement? Metadata { get; init; }

    /// <summary>The id of the workflow instance that runs this task, when a workflow is mapped to its key.</summary>
    [Id(13)] public string? ExternalId { get; init; }

    [Id(14)] public DateTimeOffset CreatedOn { get; init; }

    [Id(15)] public DateTimeOffset ModifiedOn { get; init; }

    [Id(16)] public string? Notes { get; init; }

    /// <summary>The id of the incoming event whose workflow created the task, when known.</summary>
    [Id(17)] public string? EventId { get; init; }

    /// <summary>The user (the token's <c>sub</c>) who created the row; null when the system created it.</summary>
    [Id(18)] public string? CreatedBy { get; init; }

    /// <summary>The user who last changed the row; null when the system changed it.</summary>
    [Id(19)] public string? ModifiedBy { get; init; }

    /// <summary>True once the row is deleted; deleted rows are kept but hidden from every read.</summary>
    [Id(20)] public bool Deleted { get; init; }

    [Id(21)] public DateTimeOffset? DeletedOn { get; init; }

    /// <summary>The user who deleted the row.</summary>
    [Id(22)] public string? DeletedBy { get; init; }
}
