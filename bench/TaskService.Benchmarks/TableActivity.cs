namespace TaskService.Benchmarks;

/// <summary>Rows inserted, updated and deleted in one table, and how it was scanned.</summary>
internal sealed record TableActivity(string Table, long Inserted, long Updated, long Deleted, long SequentialScans, long IndexScans);
