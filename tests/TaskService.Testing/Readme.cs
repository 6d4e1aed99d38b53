namespace TaskService.Testing;

/// <summary>The commands README.md gives between its markers, read the way a person copies them.</summary>
public static class Readme
{
    /// <summary>The <c>dotnet run</c> lines of the production block (<c>&lt;!-- production:start --&gt;</c>), without their comments.</summary>
    public static IReadOnlyList<string> ProductionRunCommands()
    {
        const string startMarker = "<!-- production:start -->";
        const string endMarker = "<!-- production:end -->";
        var readme = System.IO.File.ReadAllText(RepositoryRoot.File("README.md"));
        var start = readme.IndexOf(startMarker, StringComparison.Ordinal);
        var end = readme.IndexOf(endMarker, StringComparison.Ordinal);
        if (start < 0 || end <= start)
        {
            throw new InvalidOperationException("README.md has no production block between the markers.");
        }

        return readme[start..end].Split('\n')
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.StartsWith("dotnet run", StringComparison.Ordinal))
            .ToList();
    }
}
