namespace TaskService.Gateway.Auth;

/// <summary>
/// How the user-task inbox reads who the caller is: the token's <c>sub</c>, and its groups from the claim named
/// <see cref="GroupsClaim"/> (a JSON array of strings, or one string). Bound from <c>TaskService:Auth</c>.
/// </summary>
public sealed class InboxOptions
{
    public const string SectionName = "TaskService:Auth";

    /// <summary>The claim that holds the caller's groups, which candidate groups are matched against.</summary>
    public string GroupsClaim { get; set; } = "groups";
}
