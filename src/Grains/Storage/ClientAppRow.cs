using TaskService.ClientApps;

namespace TaskService.Storage;

/// <summary>A client app together with its secret as stored: encrypted by <see cref="Security.ISecretProtector"/>.</summary>
public sealed record ClientAppRow(ClientAppRecord App, string ApiSecret);
