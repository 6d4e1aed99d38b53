namespace TaskService.Webhooks;

/// <summary>A webhook connection refused by <see cref="WebhookUrlPolicy"/>: every address of the host is one webhooks may not reach.</summary>
public sealed class WebhookAddressRefusedException(string message) : Exception(message);
