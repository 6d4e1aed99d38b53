namespace TaskService.Storage.Postgres;

/// <summary>The PostgreSQL type of a column, which decides how it is compared, bound and read.</summary>
public enum PostgresColumnKind
{
    /// <summary>text or varchar.</summary>
    Text,

    /// <summary>integer (int4).</summary>
    Integer,

    /// <summary>bigint (int8).</summary>
    BigInt,

    /// <summary>boolean.</summary>
    Boolean,

    /// <summary>timestamptz, an instant.</summary>
    TimestampTz,

    /// <summary>jsonb.</summary>
    Jsonb,
}
