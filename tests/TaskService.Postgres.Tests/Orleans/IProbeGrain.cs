namespace TaskService.Postgres.Tests.Orleans;

/// <summary>A grain that exercises the ADO.NET grain storage and reminder providers.</summary>
[Alias("TaskService.Postgres.Tests.IProbeGrain")]
public interface IProbeGrain : IGrainWithStringKey
{
    [Alias("SetAsync")]
    Task SetAsync(string value);

    [Alias("GetAsync")]
    Task<string?> GetAsync();

    [Alias("ClearAsync")]
    Task ClearAsync();

    [Alias("DeactivateAsync")]
    Task DeactivateAsync();

    [Alias("RegisterReminderAsync")]
    Task RegisterReminderAsync(string name);

    [Alias("HasReminderAsync")]
    Task<bool> HasReminderAsync(string name);

    [Alias("UnregisterReminderAsync")]
    Task UnregisterReminderAsync(string name);
}
