namespace TaskService.Storage;

/// <summary>A live (not deleted) workflow as an event start needs it: its id and the version new instances run.</summary>
public sealed record LiveWorkflow(string Id, int Version);
