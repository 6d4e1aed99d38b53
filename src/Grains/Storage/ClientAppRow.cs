using TaskService.ClientApps;

namespace TaskService.Storage;

/// <summary>A client app together with its secret, which only the store and the signing code see.</summary>
public sealed record ClientAppRow(ClientAppRecord App, string ApiSecret);
