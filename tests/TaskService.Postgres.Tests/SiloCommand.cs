using System.Diagnostics;
using System.Text;

namespace TaskService.Postgres.Tests;

/// <summary>
/// The silo run as a person runs it, <c>dotnet run --project src/Silo --no-launch-profile -- ...</c>, from the repository root,
/// until it exits. Built already by scripts/test.sh (the test binaries come from the same build), so no build here.
/// </summary>
public static class SiloCommand
{
    /// <param name="arguments">The program's arguments (after <c>--</c>).</param>
    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    /// <param name="deadline">How long the silo may run before the test fails.</param>
    public static async Task<Result> RunAsync(string[] arguments, IReadOnlyDictionary<string, string?> environment, TimeSpan deadline)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["run", "--project", "src/Silo", "--no-build", "--no-launch-profile", "-c", RepositoryRoot.Configuration, "--", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`dotnet {string.Join(' ', start.ArgumentList)}` did not finish within {deadline}.");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() =>
            new StringBuilder().AppendLine($"exit code {ExitCode}").AppendLine("--- stdout").AppendLine(Output)
                .AppendLine("--- stderr").AppendLine(Error).ToString();
    }
}
