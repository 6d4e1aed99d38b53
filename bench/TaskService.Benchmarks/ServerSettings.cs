namespace TaskService.Benchmarks;

/// <summary>The PostgreSQL server's version and the settings that decide what a commit costs.</summary>
internal sealed record ServerSettings(string Version, string Fsync, string SynchronousCommit, string MaxConnections);
