using Microsoft.Extensions.Options;

namespace TaskService.Common;

/// <summary>
/// Checks <see cref="LimitsOptions"/> at start, with messages that name the setting to fix: every limit positive, and the largest
/// event the limits accept small enough for every stream that carries events (an event the stream refused after the 202 would
/// stop its queue).
/// </summary>
public sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    /// <summary>
    /// The largest message an event stream carries: Orleans' memory streams cache messages in blocks of 1 MiB, and Kafka's
    /// default <c>message.max.bytes</c> is about as much. Kept below both, with room for the serialization's framing.
    /// </summary>
    public const int StreamMessageCapacityBytes = 960 * 1024;

    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        var failures = new List<string>();
        void Positive(long value, string setting)
        {
            if (value <= 0)
            {
                failures.Add($"{LimitsOptions.SectionName}:{setting} must be greater than 0 (it is {value}).");
            }
        }

        Positive(options.MaxRequestBodyBytes, nameof(options.MaxRequestBodyBytes));
        Positive(options.MaxWorkflowRequestBodyBytes, nameof(options.MaxWorkflowRequestBodyBytes));
        Positive(options.MaxJsonDepth, nameof(options.MaxJsonDepth));
        Positive(options.MaxKeyLength, nameof(options.MaxKeyLength));
        Positive(options.MaxNameLength, nameof(options.MaxNameLength));
        Positive(options.MaxTextLength, nameof(options.MaxTextLength));
        Positive(options.MaxUrlLength, nameof(options.MaxUrlLength));
        Positive(options.MaxEventPayloadBytes, nameof(options.MaxEventPayloadBytes));
        Positive(options.MaxJsonValueBytes, nameof(options.MaxJsonValueBytes));
        Positive(options.MaxFilterLength, nameof(options.MaxFilterLength));
        Positive(options.MaxRequestHeadersBytes, nameof(options.MaxRequestHeadersBytes));
        Positive(options.MaxRequestHeaderCount, nameof(options.MaxRequestHeaderCount));
        Positive(options.MaxBulkRows, nameof(options.MaxBulkRows));
        Positive(options.MaxTasksPerCommand, nameof(options.MaxTasksPerCommand));
        Positive(options.MaxBpmnBytes, nameof(options.MaxBpmnBytes));
        Positive(options.MaxXmlDepth, nameof(options.MaxXmlDepth));
        Positive(options.MaxXmlElements, nameof(options.MaxXmlElements));
        Positive(options.MaxInputSchemaBytes, nameof(options.MaxInputSchemaBytes));
        if (options.RegexMatchTimeout <= TimeSpan.Zero || options.RegexMatchTimeout > TimeSpan.FromSeconds(10))
        {
            failures.Add($"{LimitsOptions.SectionName}:RegexMatchTimeout must be more than 0 and at most 10 s (it is {options.RegexMatchTimeout}).");
        }

        var largestEvent = LargestEventBytes(options);
        if (largestEvent > StreamMessageCapacityBytes)
        {
            failures.Add(
                $"{LimitsOptions.SectionName}:MaxEventPayloadBytes ({options.MaxEventPayloadBytes}) with the key, name and text limits admits " +
                $"events of up to {largestEvent} bytes, more than the event streams carry ({StreamMessageCapacityBytes}); lower MaxEventPayloadBytes or MaxTextLength.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// The most UTF-8 bytes one accepted event can take: its payload, and its id, key, source and description at three bytes per
    /// character, plus the trace context and the rest of the record.
    /// </summary>
    public static long LargestEventBytes(LimitsOptions options) =>
        (long)options.MaxEventPayloadBytes + 3L * ((2L * options.MaxKeyLength) + options.MaxNameLength + options.MaxTextLength) + 1024;
}
