using System.Text.Json.Serialization;

namespace TaskService.Tasks;

[GenerateSerializer, Alias("TaskService.UserTaskStatus")]
[JsonConverter(typeof(JsonStringEnumConverter<UserTaskStatus>))]
public enum UserTaskStatus
{
    [JsonStringEnumMemberName("pending")] Pending = 0,
    [JsonStringEnumMemberName("completed")] Completed = 1,
}
