using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// Camunda's date format, <c>yyyy-MM-dd'T'HH:mm:ss.SSSZ</c> (for example <c>2015-10-06T16:34:42.000+0200</c>), which
/// System.Text.Json does not read by default. Reading also accepts ISO 8601 offsets (<c>+02:00</c>, <c>Z</c>) and no offset (UTC).
/// </summary>
public sealed partial class CamundaDateTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return TryParse(text, out var value)
            ? value
            : throw new JsonException($"'{text}' is not a date in Camunda's format yyyy-MM-dd'T'HH:mm:ss.SSSZ (for example 2015-10-06T16:34:42.000+0200).");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(Format(value));

    /// <summary>Writes <paramref name="value"/> as Camunda does: milliseconds and an offset without a colon.</summary>
    public static string Format(DateTimeOffset value)
    {
        var offset = value.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{value:yyyy-MM-dd'T'HH:mm:ss.fff}{sign}{offset.Hours:00}{offset.Minutes:00}");
    }

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is null || DatePattern().Match(text) is not { Success: true } match)
        {
            return false;
        }

        if (!DateTime.TryParseExact(match.Groups["local"].Value, ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }

        var offset = TimeSpan.Zero;
        if (match.Groups["hours"].Success)
        {
            offset = new TimeSpan(int.Parse(match.Groups["hours"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["minutes"].Value, CultureInfo.InvariantCulture), 0);
            if (match.Groups["sign"].Value == "-")
            {
                offset = -offset;
            }
        }

        if (offset.Duration() > TimeSpan.FromHours(14))
        {
            return false;
        }

        value = new DateTimeOffset(local, offset);
        return true;
    }

    [GeneratedRegex(@"^(?<local>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?)(?:Z|(?<sign>[+-])(?<hours>\d{2}):?(?<minutes>\d{2}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();
}
