using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TaskService.Serialization;

namespace TaskService.Storage.Postgres;

/// <summary>Binds record values as parameters and reads rows back, both as records and as their contract JSON.</summary>
internal static class PostgresRows
{
    // Typed parameters (NpgsqlParameter<T>) carry their value unboxed; only SQL NULL goes through the untyped parameter. A
    // string, int, long and bool map to text, integer, bigint and boolean by default, so those parameters name no type: Npgsql
    // then resolves them by their CLR type alone, without converting a type name each time. An instant names timestamptz, so
    // that it never depends on how a DateTime's kind is read.
    public static NpgsqlParameter Text(string? value) => value is null ? Null(NpgsqlDbType.Text) : Typed(value);

    public static NpgsqlParameter Integer(int value) => Typed(value);

    public static NpgsqlParameter BigInt(long value) => Typed(value);

    public static NpgsqlParameter Boolean(bool value) => Typed(value);

    /// <summary>An instant; timestamptz keeps microseconds, so a finer part is dropped.</summary>
    public static NpgsqlParameter Instant(DateTimeOffset? value) =>
        value is { } instant ? Typed(instant.UtcDateTime, NpgsqlDbType.TimestampTz) : Null(NpgsqlDbType.TimestampTz);

    public static NpgsqlParameter Jsonb(JsonElement? value) => Parameter(JsonOrNull(value), NpgsqlDbType.Jsonb);

    /// <summary>A JSON document for a NOT NULL column; an unset element is stored as jsonb <c>null</c>.</summary>
    public static NpgsqlParameter RequiredJson(JsonElement value) => Parameter(RequiredJsonText(value), NpgsqlDbType.Jsonb);

    /// <summary>The text <see cref="RequiredJson"/> stores: an unset element is JSON <c>null</c>.</summary>
    public static string RequiredJsonText(JsonElement value) => value.ValueKind == JsonValueKind.Undefined ? "null" : value.GetRawText();

    public static NpgsqlParameter JsonText(string? json) => json is null ? Null(NpgsqlDbType.Jsonb) : Typed(json, NpgsqlDbType.Jsonb);

    /// <summary>A text array; a string array maps to text[] by default, so the parameter names no type (naming one costs a string).</summary>
    public static NpgsqlParameter TextArray(IEnumerable<string> values) => Typed(values.ToArray());

    /// <summary>An integer array (int[] maps to integer[] by default).</summary>
    public static NpgsqlParameter IntegerArray(int[] values) => Typed(values);

    /// <summary>A bigint[] parameter.</summary>
    public static NpgsqlParameter BigIntArray(long[] values) => Typed(values);

    public static NpgsqlParameter BooleanArray(bool[] values) => Typed(values);

    /// <summary>A text array whose elements may be SQL NULL.</summary>
    public static NpgsqlParameter NullableTextArray(string?[] values) => Typed(values);

    /// <summary>A timestamptz array whose elements may be SQL NULL; see <see cref="Instant"/>.</summary>
    public static NpgsqlParameter InstantArray(params ReadOnlySpan<DateTimeOffset?> values)
    {
        // DateTimeOffset?[] is timestamptz[] by its type alone (at offset 0, as Npgsql requires), so the parameter's type is
        // looked up once, not composed again from an explicit array type for every parameter.
        var instants = new DateTimeOffset?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            instants[i] = values[i]?.ToUniversalTime();
        }

        return Typed(instants);
    }

    /// <summary>The text of a JSON document as <see cref="Jsonb"/> sends it, or null.</summary>
    public static string? JsonOrNull(JsonElement? value) => value is { ValueKind: not JsonValueKind.Undefined } element ? element.GetRawText() : null;

    public static NpgsqlParameter Parameter(object? value, NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    private static NpgsqlParameter<T> Typed<T>(T value, NpgsqlDbType type) => new() { TypedValue = value, NpgsqlDbType = type };

    private static NpgsqlParameter<T> Typed<T>(T value) => new() { TypedValue = value };

    private static NpgsqlParameter Null(NpgsqlDbType type) => new() { Value = DBNull.Value, NpgsqlDbType = type };

    /// <summary>The contract text of an enum value, for example <c>in progress</c>.</summary>
    public static string EnumText<T>(T value)
        where T : struct, Enum =>
        EnumTexts<T>.Texts.GetOrAdd(value, static v => JsonSerializer.SerializeToElement(v, ContractJson.Options).GetString()!);

    public static T ParseEnum<T>(string text)
        where T : struct, Enum =>
        EnumTexts<T>.Values.GetOrAdd(text, static t => JsonSerializer.Deserialize<T>(JsonSerializer.SerializeToUtf8Bytes(t), ContractJson.Options));

    /// <summary>
    /// The row as its entity's contract JSON: camelCase names in <paramref name="columns"/> order, SQL NULL omitted, instants
    /// written as System.Text.Json writes a <see cref="DateTimeOffset"/>, so the text equals the serialized record's.
    /// </summary>
    public static JsonElement ToJson(NpgsqlDataReader reader, IReadOnlyList<PostgresColumn> columns)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            for (var i = 0; i < columns.Count; i++)
            {
                if (reader.IsDBNull(i))
                {
                    continue;
                }

                var name = columns[i].Field;
                switch (columns[i].Kind)
                {
                    case PostgresColumnKind.Text:
                        writer.WriteString(name, reader.GetString(i));
                        break;
                    case PostgresColumnKind.Integer:
                        writer.WriteNumber(name, reader.GetInt32(i));
                        break;
                    case PostgresColumnKind.BigInt:
                        writer.WriteNumber(name, reader.GetInt64(i));
                        break;
                    case PostgresColumnKind.Boolean:
                        writer.WriteBoolean(name, reader.GetBoolean(i));
                        break;
                    case PostgresColumnKind.TimestampTz:
                        // As a string value, so that the writer escapes it as the in-memory rows' strings are ('+' as \u002B).
                        writer.WriteString(name, FormatInstant(reader.GetFieldValue<DateTimeOffset>(i)));
                        break;
                    case PostgresColumnKind.Jsonb:
                        writer.WritePropertyName(name);
                        using (var document = JsonDocument.Parse(reader.GetString(i)))
                        {
                            document.RootElement.WriteTo(writer);
                        }

                        break;
                    default:
                        throw new InvalidOperationException($"Unknown column kind {columns[i].Kind}.");
                }
            }

            writer.WriteEndObject();
        }

        using var result = JsonDocument.Parse(buffer.WrittenMemory);
        return result.RootElement.Clone();
    }

    /// <summary>An instant as System.Text.Json writes a <see cref="DateTimeOffset"/>: ISO 8601, fraction trimmed, offset kept.</summary>
    public static string FormatInstant(DateTimeOffset value) => JsonSerializer.SerializeToElement(value).GetString()!;

    /// <summary>The contract texts of one enum type and the values they read back as, each converted once (an enum has few values).</summary>
    private static class EnumTexts<T>
        where T : struct, Enum
    {
        public static readonly ConcurrentDictionary<T, string> Texts = new();

        public static readonly ConcurrentDictionary<string, T> Values = new(StringComparer.Ordinal);
    }

    /// <summary>Reads the columns of a row one after the other, in the order a record declares its properties.</summary>
    public sealed class Cursor(NpgsqlDataReader reader)
    {
        private int _ordinal;

        public string String() => reader.GetString(_ordinal++);

        public string? NullableString()
        {
            var i = _ordinal++;
            return reader.IsDBNull(i) ? null : reader.GetString(i);
        }

        public int Int32() => reader.GetInt32(_ordinal++);

        public long Int64() => reader.GetInt64(_ordinal++);

        public bool Boolean() => reader.GetBoolean(_ordinal++);

        public DateTimeOffset Instant() => reader.GetFieldValue<DateTimeOffset>(_ordinal++);

        public DateTimeOffset? NullableInstant()
        {
            var i = _ordinal++;
            return reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        }

        public JsonElement Json() => NullableJson() ?? JsonElementFactory.Null;

        public JsonElement? NullableJson()
        {
            var i = _ordinal++;
            return reader.IsDBNull(i) ? null : JsonElementFactory.Parse(reader.GetString(i));
        }

        public T Enum<T>()
            where T : struct, Enum => ParseEnum<T>(String());
    }
}
