using System.Globalization;

namespace TaskService.Api.Tests;

/// <summary>A service of its own whose bulk PATCH and DELETE change at most three rows, so a match over the limit is a few rows.</summary>
public sealed class BulkLimitApiFactory : TaskServiceApiFactory
{
    public const int MaxBulkRows = 3;

    public BulkLimitApiFactory()
    {
        Overrides["TaskService:Limits:MaxBulkRows"] = MaxBulkRows.ToString(CultureInfo.InvariantCulture);
    }
}
