namespace TaskService.Silo.Hosting;

/// <summary>Where a silo keeps its state. Bound from <c>TaskService:Database</c>; the connection string is <c>ConnectionStrings:TaskService</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "TaskService:Database";

    /// <summary>Apply the migrations of scripts/sql before the silo starts (otherwise run <c>dotnet run --project src/Silo --no-launch-profile -- migrate</c>).</summary>
    public bool MigrateOnStart { get; set; }
}
