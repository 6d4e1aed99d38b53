using System.Diagnostics;
using System.Text.Json;

namespace TaskService.EndToEnd.Tests;

/// <summary>The README's quick start and walk-through, run as written against the service its run command started.</summary>
[Collection(ServiceCollection.Name)]
public sealed class ReadmeWalkthroughTests(ServiceProcess service)
{
    private const string StartMarker = "<!-- walkthrough:start -->";
    private const string EndMarker = "<!-- walkthrough:end -->";

    [Fact]
    public void TheReadmeRunCommandIsTheOneTheTestsStart()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        Assert.Contains("dotnet run --project src/Silo", readme);
        Assert.Contains("scripts/test.sh", readme);
    }

    [Fact]
    public async Task TheWalkthroughWorksAsWritten()
    {
        var script = ExtractWalkthrough(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")));
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var bash = Process.Start(start)!;
        var stdout = bash.StandardOutput.ReadToEndAsync();
        var stderr = bash.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await bash.WaitForExitAsync(timeout.Token);
        var output = await stdout;

        Assert.True(bash.ExitCode == 0, $"The walk-through failed with exit code {bash.ExitCode}.\nstdout:\n{output}\nstderr:\n{await stderr}\nservice:\n{service.Output}");

        // What the walk-through prints shows the whole lifecycle: both workflows deployed, the event accepted, the task's
        // first user task, the task completed, the event recorded once and the three subscriptions.
        var documents = ReadJsonDocuments(output);
        Assert.Equal(["parent-process", "child-process"], documents.Where(d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("externalIdentifier", out _))
            .Select(d => d.GetProperty("externalIdentifier").GetString()));
        Assert.Contains(documents, d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("id", out var id) && id.GetString() == "contract-1001");
        var userTasks = documents.First(d => d.ValueKind == JsonValueKind.Array && d.GetArrayLength() > 0 && d[0].TryGetProperty("status", out _) && !d[0].TryGetProperty("key", out _));
        Assert.Equal("Review\ndocument", userTasks[0].GetProperty("name").GetString());
        var task = documents.Single(d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("status", out _) && d.TryGetProperty("key", out _));
        Assert.Equal("review-contract", task.GetProperty("key").GetString());
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Equal(1, documents.Single(d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("count", out _)).GetProperty("count").GetInt64());
        Assert.Equal(["task-completed", "task-created", "user-task-completed"], documents.Last().EnumerateArray().Select(s => s.GetProperty("key").GetString()).Order(StringComparer.Ordinal));

        // Quiet by default: the webhook deliveries above wrote no line per outgoing HTTP request, and the silo no watchdog warning.
        Assert.DoesNotContain("System.Net.Http.HttpClient", service.Output);
        Assert.DoesNotContain("Orleans.Runtime.Watchdog", service.Output);
    }

    private static string ExtractWalkthrough(string readme)
    {
        var start = readme.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = readme.IndexOf(EndMarker, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no walk-through block between the markers.");
        var block = readme[(start + StartMarker.Length)..end];
        var open = block.IndexOf("```bash", StringComparison.Ordinal);
        var close = block.LastIndexOf("```", StringComparison.Ordinal);
        Assert.True(open >= 0 && close > open, "The walk-through block holds no ```bash fence.");
        return block[(open + "```bash".Length)..close];
    }

    /// <summary>jq prints one JSON document after another; read them all.</summary>
    private static List<JsonElement> ReadJsonDocuments(string output)
    {
        var documents = new List<JsonElement>();
        var bytes = System.Text.Encoding.UTF8.GetBytes(output);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            using var document = JsonDocument.ParseValue(ref reader);
            documents.Add(document.RootElement.Clone());
        }

        return documents;
    }
}
