namespace TaskService.Camunda.Tests.Hosting;

/// <summary>One fetchAndLock request the worker sent: when it left, when its answer (or failure) came back, and whether it failed.</summary>
/// <param name="Sent">Stopwatch timestamp taken as the request left.</param>
/// <param name="Ended">Stopwatch timestamp taken as the answer or the failure came back.</param>
/// <param name="Failed">True when the engine could not be reached or did not answer with success.</param>
public sealed record PollAttempt(long Sent, long Ended, bool Failed);
