namespace TaskService.Gateway.Apis;

/// <summary>The answer of the count endpoints, as LoopBack gives it.</summary>
public sealed record CountResult(long Count);
