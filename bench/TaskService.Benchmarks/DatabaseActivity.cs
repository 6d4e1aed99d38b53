namespace TaskService.Benchmarks;

/// <summary>What the benchmark's database did over the whole run (<c>pg_stat_database</c>, <c>pg_stat_user_tables</c>).</summary>
internal sealed record DatabaseActivity(long Commits, long Rollbacks, IReadOnlyList<TableActivity> Tables);
