namespace TaskService.Gateway.Apis;

/// <summary>The answer to a trigger: the id the event is recorded under.</summary>
public sealed record EventAccepted(string Id, string Key);
