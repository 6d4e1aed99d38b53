using System.Text.Json.Serialization;

namespace TaskService.Tasks;

[GenerateSerializer, Alias("TaskService.TaskRecordStatus")]
[JsonConverter(typeof(JsonStringEnumConverter<TaskRecordStatus>))]
public enum TaskRecordStatus
{
    [JsonStringEnumMemberName("pending")] Pending = 0,
    [JsonStringEnumMemberName("in progress")] InProgress = 1,
    [JsonStringEnumMemberName("completed")] Completed = 2,
}
