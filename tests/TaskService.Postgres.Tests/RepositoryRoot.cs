namespace TaskService.Postgres.Tests;

internal static class RepositoryRoot
{
    /// <summary>The folder that holds TaskService.sln, found by walking up from the test binaries.</summary>
    public static string Path { get; } = Find();

    /// <summary>The build configuration of the test binaries (and so of the solution build that made them).</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{System.IO.Path.DirectorySeparatorChar}Release{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "TaskService.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No TaskService.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
