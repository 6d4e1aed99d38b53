namespace TaskService.Security;

/// <summary>The key that encrypts client app secrets at rest. Bound from <c>TaskService:Secrets</c>.</summary>
public sealed class SecretOptions
{
    public const string SectionName = "TaskService:Secrets";

    /// <summary>A 256-bit key, base64-encoded (for example the output of <c>openssl rand -base64 32</c>).</summary>
    public string? Key { get; set; }

    /// <summary>Keys used before <see cref="Key"/>; secrets encrypted with them can still be read. Use them to rotate keys.</summary>
    public List<string> PreviousKeys { get; set; } = [];

    /// <summary>
    /// Use a random key for this process when none is configured. Only for storage that does not outlive the process
    /// (the embedded in-memory default): secrets written with it cannot be read after a restart. Set by the embedded providers
    /// only, never from configuration, so that a silo on PostgreSQL cannot be started without a key.
    /// </summary>
    public bool AllowEphemeralKey { get; internal set; }
}
