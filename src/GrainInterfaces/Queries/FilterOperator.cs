namespace TaskService.Queries;

/// <summary>The LoopBack where-operators TaskService understands.</summary>
[GenerateSerializer, Alias("TaskService.FilterOperator")]
public enum FilterOperator
{
    Eq = 0,
    Neq = 1,
    Gt = 2,
    Gte = 3,
    Lt = 4,
    Lte = 5,
    Inq = 6,
    Nin = 7,
    Like = 8,
    Ilike = 9,
    Between = 10,

    /// <summary>
    /// A JSON field holding an array contains every given value (LoopBack's PostgreSQL <c>contains</c>, <c>@&gt;</c>); the value
    /// is one scalar or an array of scalars.
    /// </summary>
    Contains = 11,
}
