namespace TaskService.Testing;

/// <summary>How an in-process <see cref="WebhookReceiver"/> answers one request: a status and headers (a 429 with Retry-After, say).</summary>
public sealed record WebhookAnswer(int Status, IReadOnlyDictionary<string, string>? Headers = null);
