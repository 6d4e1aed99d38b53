using Microsoft.Extensions.Options;
using TaskService.Common;

namespace TaskService.Storage.Postgres;

/// <summary>
/// Stops the start of a silo on the PostgreSQL store whose <see cref="LimitsOptions.MaxKeyLength"/> admits ids and keys longer
/// than the store's columns keep: every event, task or workflow with a longer id would be accepted by the API and then refused
/// by the database.
/// </summary>
internal sealed class PostgresLimitsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options) =>
        options.MaxKeyLength > PostgresTaskServiceStore.MaxKeyColumnLength
            ? ValidateOptionsResult.Fail(
                $"{LimitsOptions.SectionName}:MaxKeyLength is {options.MaxKeyLength}, but the PostgreSQL store keeps ids and keys of at most " +
                $"{PostgresTaskServiceStore.MaxKeyColumnLength} characters; set it to {PostgresTaskServiceStore.MaxKeyColumnLength} or less.")
            : ValidateOptionsResult.Success;
}
