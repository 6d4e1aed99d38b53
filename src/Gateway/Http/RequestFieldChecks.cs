using System.Text.Json;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Serialization;

namespace TaskService.Gateway.Http;

/// <summary>
/// The checks a request's fields go through, each against its limit in <see cref="LimitsOptions"/>. Every failure is a
/// <see cref="Problem"/> (a 400) that names the field and says what is allowed; null means the value passes. Absent (null) values
/// pass: whether a field is required is the handler's business.
/// </summary>
public sealed class RequestFieldChecks(LimitsOptions limits)
{
    public LimitsOptions Limits => limits;

    /// <summary>A key or id: event keys, task keys, workflow keys, ids. No control characters, at most <see cref="LimitsOptions.MaxKeyLength"/>.</summary>
    public Problem? Key(string? value, string field) => Text(value, field, limits.MaxKeyLength, allowLineBreaks: false);

    /// <summary>A name or short label, at most <see cref="LimitsOptions.MaxNameLength"/>; line breaks allowed (BPMN names carry them).</summary>
    public Problem? Name(string? value, string field) => Text(value, field, limits.MaxNameLength, allowLineBreaks: true);

    /// <summary>Free text such as a description, at most <see cref="LimitsOptions.MaxTextLength"/>; line breaks and tabs allowed.</summary>
    public Problem? FreeText(string? value, string field) => Text(value, field, limits.MaxTextLength, allowLineBreaks: true);

    /// <summary>A URL, at most <see cref="LimitsOptions.MaxUrlLength"/>.</summary>
    public Problem? Url(string? value, string field) => Text(value, field, limits.MaxUrlLength, allowLineBreaks: false);

    /// <summary>A document held as a string (a BPMN file), at most <paramref name="maxBytes"/> of UTF-8.</summary>
    public Problem? Document(string? value, string field, int maxBytes)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > maxBytes)
        {
            return TooLarge(field, maxBytes);
        }

        return WellFormed(value, field) ?? (System.Text.Encoding.UTF8.GetByteCount(value) > maxBytes ? TooLarge(field, maxBytes) : null);
    }

    /// <summary>A free-form JSON value: well-formed Unicode, at most <paramref name="maxBytes"/> as UTF-8 JSON.</summary>
    public Problem? Json(JsonElement? value, string field, int maxBytes)
    {
        if (value is not { } element)
        {
            return null;
        }

        if (WellFormedJson.Check(element, field) is { } problem)
        {
            return problem;
        }

        var size = JsonSize(element);
        return size > maxBytes
            ? Problem.Invalid(field, $"'{field}' is {size} bytes of JSON; the limit is {maxBytes} bytes (TaskService:Limits).")
            : null;
    }

    /// <summary>A path or query value that names one entity: not blank, not too long, printable, well-formed Unicode.</summary>
    public Problem? Identifier(string value, string parameter) =>
        string.IsNullOrWhiteSpace(value)
            ? Problem.Invalid(parameter, $"The path parameter '{parameter}' is empty or only white space.")
            : Text(value, parameter, limits.MaxKeyLength, allowLineBreaks: false);

    private static Problem TooLarge(string field, int maxBytes) =>
        Problem.Invalid(field, $"'{field}' is larger than the limit of {maxBytes} bytes (TaskService:Limits).");

    private static int JsonSize(JsonElement element) => System.Text.Encoding.UTF8.GetByteCount(element.GetRawText());

    private static Problem? Text(string? value, string field, int maxLength, bool allowLineBreaks)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > maxLength)
        {
            return Problem.Invalid(field, $"'{field}' is longer than {maxLength} characters (TaskService:Limits).");
        }

        if (WellFormed(value, field) is { } problem)
        {
            return problem;
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\r' or '\t'))
            {
                return Problem.Invalid(field, $"'{field}' holds the control character U+{(int)c:X4}; send printable text.");
            }
        }

        return null;
    }

    private static Problem? WellFormed(string value, string field)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return Problem.Invalid(field, $"'{field}' holds an unpaired UTF-16 surrogate (such as \\ud800); send well-formed Unicode.");
            }
        }

        return null;
    }
}
