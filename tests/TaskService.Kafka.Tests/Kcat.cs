using System.Diagnostics;

namespace TaskService.Kafka.Tests;

/// <summary>Debian's <c>kcat</c>, an independent Kafka client (its own librdkafka build), used to produce test input.</summary>
public static class Kcat
{
    /// <summary>Produces each line as one message to <paramref name="partition"/> of <paramref name="topic"/>, in order.</summary>
    public static async Task ProduceLinesAsync(string bootstrapServers, string topic, int partition, IEnumerable<string> lines)
    {
        var start = new ProcessStartInfo("kcat", ["-P", "-b", bootstrapServers, "-t", topic, "-p", partition.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kcat did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("kcat is not installed; scripts/test.sh installs it (apt-get install kcat).", exception);
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            foreach (var line in lines)
            {
                await process.StandardInput.WriteLineAsync(line);
            }

            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"kcat failed ({process.ExitCode}): {await stderr}");
        }
    }
}
