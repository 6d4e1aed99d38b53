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

        // The listing and the count printed at the end show the triggered event, recorded once.
        var documents = ReadJsonDocuments(output);
        var events = documents.Single(d => d.ValueKind == JsonValueKind.Array && d.GetArrayLength() > 0 && d[0].TryGetProperty("payload", out _));
        var invoice = events.EnumerateArray().Single(e => e.GetProperty("id").GetString() == "invoice-1001-overdue");
        Assert.Equal(1001, invoice.GetProperty("payload").GetProperty("invoiceId").GetInt32());
        Assert.Contains(documents, d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("count", out var count) && count.GetInt64() >= 1);
        var subscriptions = documents.Last();
        Assert.Equal("task-created", subscriptions[0].GetProperty("key").GetString());
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
