using System.Text.Json;

namespace TaskService.Api.Tests;

/// <summary>The runtime settings the silo ships with, as README's operations section describes them.</summary>
public sealed class SiloRuntimeSettingsTests
{
    [Fact]
    public void TheSiloRunsServerGcAndDynamicPgoWithIdleThreadPoolThreadsThatSleepWithoutSpinning()
    {
        // The silo's runtimeconfig.json is copied beside the tests with the silo it references.
        var path = Path.Combine(AppContext.BaseDirectory, "TaskService.Silo.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.True(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.True(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }
}
