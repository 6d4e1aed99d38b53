using System.Text.Json.Serialization;

namespace TaskService.Workflows;

[GenerateSerializer, Alias("TaskService.WorkflowInstanceStatus")]
[JsonConverter(typeof(JsonStringEnumConverter<WorkflowInstanceStatus>))]
public enum WorkflowInstanceStatus
{
    [JsonStringEnumMemberName("active")] Active = 0,
    [JsonStringEnumMemberName("completed")] Completed = 1,
    [JsonStringEnumMemberName("canceled")] Canceled = 2,
}
