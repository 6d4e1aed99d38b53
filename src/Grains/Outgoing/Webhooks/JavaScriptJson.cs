using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace TaskService.Webhooks;

/// <summary>
/// Writes JSON exactly as JavaScript's <c>JSON.stringify(JSON.parse(text))</c> would produce it, as UTF-8.
/// </summary>
/// <remarks>
/// Webhook receivers verify the signature over <c>JSON.stringify(JSON.parse(body))</c> rather than over the
/// bytes they received, so the body we sign and send has to be a fixed point of that round trip:
/// <list type="bullet">
/// <item>no whitespace; numbers become IEEE doubles printed with ECMAScript Number::toString, non-finite ones print <c>null</c>;</item>
/// <item>strings escape only <c>"</c>, <c>\</c>, U+0000..U+001F and lone surrogates (lowercase hex), everything else is raw UTF-8;</item>
/// <item>object members come in ECMAScript own-property order: array-index keys ascending, then the other keys in
/// first-insertion order; a duplicated key keeps its first position and its last value.</item>
/// </list>
/// String tokens are decoded from their raw UTF-8 text, so lone-surrogate escapes such as <c>"\ud800"</c>, which
/// <see cref="JsonElement.GetString"/> rejects, are preserved. Invalid UTF-8 in the source (which
/// <see cref="JsonDocument"/> does not reject) is replaced by U+FFFD, as a UTF-8 decoder on the receiving side would.
/// </remarks>
public static class JavaScriptJson
{
    /// <summary>Objects with more members than this detect duplicate keys through a dictionary instead of a linear scan.</summary>
    private const int LinearDuplicateScanLimit = 16;

    /// <summary>The largest array index: 2^32 - 2.</summary>
    private const long MaxArrayIndex = 4_294_967_294;

    /// <summary>Returns <c>JSON.stringify(JSON.parse(value.GetRawText()))</c> as a string.</summary>
    public static string Serialize(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, value);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Returns the UTF-8 bytes of <c>JSON.stringify(JSON.parse(value.GetRawText()))</c>.</summary>
    public static byte[] SerializeToUtf8Bytes(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Appends the UTF-8 bytes of <c>JSON.stringify(JSON.parse(value.GetRawText()))</c> to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is <c>default</c> (has no value).</exception>
    public static void Write(IBufferWriter<byte> output, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The JSON element has no value.", nameof(value));
        }

        new Emitter(output).WriteValue(value);
    }

    /// <summary>Appends <c>JSON.stringify(value)</c> for a string, quotes included.</summary>
    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<char> value)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteByte(output, (byte)'"');
        int runStart = 0;
        int i = 0;
        while (i < value.Length)
        {
            char c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\' && !char.IsSurrogate(c))
            {
                i++;
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i += 2;
                continue;
            }

            Encoding.UTF8.GetBytes(value[runStart..i], output);
            WriteCodeUnit(output, c);
            i++;
            runStart = i;
        }

        Encoding.UTF8.GetBytes(value[runStart..], output);
        WriteByte(output, (byte)'"');
    }

    /// <summary>Appends <c>JSON.stringify(value)</c> for a number: ECMAScript Number::toString, <c>null</c> when not finite.</summary>
    public static void WriteNumber(IBufferWriter<byte> output, double value)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!double.IsFinite(value))
        {
            output.Write("null"u8);
            return;
        }

        if (value == 0)
        {
            // Covers -0, which Number::toString prints as "0".
            WriteByte(output, (byte)'0');
            return;
        }

        // "R" yields the shortest digits that round-trip (the ECMAScript k is minimal), but in .NET's layout
        // ("1E+21", "1.5E-07", "0.0001"); take out digits and exponent and lay them out as ECMAScript does.
        Span<byte> formatted = stackalloc byte[40];
        if (!value.TryFormat(formatted, out int formattedLength, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"Could not format the number {value:R}.");
        }

        formatted = formatted[..formattedLength];
        Span<byte> digits = stackalloc byte[40];
        int k = 0;
        int integerDigits = 0;
        bool seenPoint = false;
        int leadingZeros = 0;
        int exponent = 0;
        int position = formatted[0] == (byte)'-' ? 1 : 0;
        for (; position < formatted.Length; position++)
        {
            byte b = formatted[position];
            if (b == (byte)'.')
            {
                seenPoint = true;
            }
            else if (b is (byte)'E' or (byte)'e')
            {
                exponent = int.Parse(formatted[(position + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            else
            {
                if (!seenPoint)
                {
                    integerDigits++;
                }

                if (k == 0 && b == (byte)'0')
                {
                    leadingZeros++;
                }
                else
                {
                    digits[k++] = b;
                }
            }
        }

        while (k > 1 && digits[k - 1] == (byte)'0')
        {
            k--;
        }

        // value = 0.d1..dk * 10^n, i.e. digits * 10^(n - k) in the ECMAScript notation.
        int n = integerDigits + exponent - leadingZeros;
        Span<byte> text = stackalloc byte[48];
        int length = 0;
        if (value < 0)
        {
            text[length++] = (byte)'-';
        }

        if (k <= n && n <= 21)
        {
            digits[..k].CopyTo(text[length..]);
            length += k;
            text.Slice(length, n - k).Fill((byte)'0');
            length += n - k;
        }
        else if (0 < n && n <= 21)
        {
            digits[..n].CopyTo(text[length..]);
            length += n;
            text[length++] = (byte)'.';
            digits[n..k].CopyTo(text[length..]);
            length += k - n;
        }
        else if (-6 < n && n <= 0)
        {
            text[length++] = (byte)'0';
            text[length++] = (byte)'.';
            text.Slice(length, -n).Fill((byte)'0');
            length += -n;
            digits[..k].CopyTo(text[length..]);
            length += k;
        }
        else
        {
            text[length++] = digits[0];
            if (k > 1)
            {
                text[length++] = (byte)'.';
                digits[1..k].CopyTo(text[length..]);
                length += k - 1;
            }

            text[length++] = (byte)'e';
            text[length++] = n - 1 < 0 ? (byte)'-' : (byte)'+';
            Math.Abs(n - 1).TryFormat(text[length..], out int exponentLength, default, CultureInfo.InvariantCulture);
            length += exponentLength;
        }

        output.Write(text[..length]);
    }

    /// <summary>Writes a number token given as JSON text: parsed to the nearest double as JSON.parse does.</summary>
    private static void WriteNumberToken(IBufferWriter<byte> output, ReadOnlySpan<byte> raw)
    {
        // Fast path: a canonical integer of at most 15 digits is an exact double and prints unchanged.
        int start = raw[0] == (byte)'-' ? 1 : 0;
        int digitCount = raw.Length - start;
        if (digitCount is > 0 and <= 15
            && raw[start..].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0
            && (raw[start] != (byte)'0' || digitCount == 1)
            && !(start == 1 && raw[1] == (byte)'0'))
        {
            output.Write(raw);
            return;
        }

        // IEEE-correct rounding since .NET Core 3.0; overflow yields ±Infinity (printed null), underflow ±0.
        double value = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        WriteNumber(output, value);
    }

    /// <summary>
    /// Writes the content (without quotes) of a JSON string token given as its raw, still-escaped UTF-8 text.
    /// </summary>
    private static void WriteStringContent(IBufferWriter<byte> output, ReadOnlySpan<byte> raw)
    {
        while (true)
        {
            int escape = raw.IndexOf((byte)'\\');
            WriteRawRun(output, escape < 0 ? raw : raw[..escape]);
            if (escape < 0)
            {
                return;
            }

            raw = raw[escape..];
            switch (raw[1])
            {
                case (byte)'/':
                    WriteByte(output, (byte)'/');
                    raw = raw[2..];
                    break;
                case (byte)'u':
                    int unit = ParseHex4(raw.Slice(2, 4));
                    raw = raw[6..];
                    if (char.IsHighSurrogate((char)unit)
                        && raw.Length >= 6
                        && raw[0] == (byte)'\\'
                        && raw[1] == (byte)'u'
                        && char.IsLowSurrogate((char)ParseHex4(raw.Slice(2, 4))))
                    {
                        var rune = new Rune((char)unit, (char)ParseHex4(raw.Slice(2, 4)));
                        Span<byte> utf8 = output.GetSpan(4);
                        output.Advance(rune.EncodeToUtf8(utf8));
                        raw = raw[6..];
                    }
                    else
                    {
                        WriteCodeUnit(output, (char)unit);
                    }

                    break;
                default:
                    // \" \\ \b \f \n \r \t: JSON.stringify writes these very escapes back.
                    output.Write(raw[..2]);
                    raw = raw[2..];
                    break;
            }
        }
    }

    /// <summary>Copies unescaped string text; it never needs escaping, but invalid UTF-8 becomes U+FFFD.</summary>
    private static void WriteRawRun(IBufferWriter<byte> output, ReadOnlySpan<byte> run)
    {
        if (Utf8.IsValid(run))
        {
            output.Write(run);
            return;
        }

        // Encoding.UTF8 replaces each maximal invalid subpart with one U+FFFD, as the WHATWG decoder does.
        // Decoded text has no surrogates other than valid pairs and no characters needing escapes.
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(run), output);
    }

    private static void WriteCodeUnit(IBufferWriter<byte> output, char c)
    {
        switch (c)
        {
            case '"':
                output.Write("\\\""u8);
                return;
            case '\\':
                output.Write("\\\\"u8);
                return;
            case '\b':
                output.Write("\\b"u8);
                return;
            case '\f':
                output.Write("\\f"u8);
                return;
            case '\n':
                output.Write("\\n"u8);
                return;
            case '\r':
                output.Write("\\r"u8);
                return;
            case '\t':
                output.Write("\\t"u8);
                return;
        }

        if (c < 0x20 || char.IsSurrogate(c))
        {
            Span<byte> escaped = output.GetSpan(6);
            escaped[0] = (byte)'\\';
            escaped[1] = (byte)'u';
            ((int)c).TryFormat(escaped[2..], out _, "x4", CultureInfo.InvariantCulture);
            output.Advance(6);
            return;
        }

        Span<byte> utf8 = output.GetSpan(3);
        output.Advance(new Rune(c).EncodeToUtf8(utf8));
    }

    private static int ParseHex4(ReadOnlySpan<byte> hex) =>
        int.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    /// <summary>The array index a key denotes ("0".."4294967294" without leading zeros), or -1.</summary>
    private static long ParseArrayIndex(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty || key.Length > 10 || (key[0] == (byte)'0' && key.Length > 1))
        {
            return -1;
        }

        long index = 0;
        foreach (byte b in key)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return -1;
            }

            index = (index * 10) + (b - '0');
        }

        return index <= MaxArrayIndex ? index : -1;
    }

    /// <summary>One distinct member of an object being written.</summary>
    /// <param name="Property">The first occurrence of the key, which fixes its position and its raw name.</param>
    /// <param name="Value">The value of the last occurrence of the key.</param>
    /// <param name="KeyStart">Start of the normalized key in the scratch buffer, or -1 when the raw name is already normalized.</param>
    /// <param name="KeyLength">Length of the normalized key in the scratch buffer.</param>
    /// <param name="Index">The array index the key denotes, or -1.</param>
    private record struct Member(JsonProperty Property, JsonElement Value, int KeyStart, int KeyLength, long Index);

    /// <summary>Writes one value tree; holds the scratch buffer for keys that have escapes.</summary>
    private sealed class Emitter(IBufferWriter<byte> output)
    {
        private readonly ArrayBufferWriter<byte> keys = new();

        public void WriteValue(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    WriteObject(value);
                    break;
                case JsonValueKind.Array:
                    WriteArray(value);
                    break;
                case JsonValueKind.String:
                    ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(value);
                    WriteByte(output, (byte)'"');
                    WriteStringContent(output, raw[1..^1]);
                    WriteByte(output, (byte)'"');
                    break;
                case JsonValueKind.Number:
                    WriteNumberToken(output, JsonMarshal.GetRawUtf8Value(value));
                    break;
                case JsonValueKind.True:
                    output.Write("true"u8);
                    break;
                case JsonValueKind.False:
                    output.Write("false"u8);
                    break;
                case JsonValueKind.Null:
                    output.Write("null"u8);
                    break;
                default:
                    throw new ArgumentException($"Unexpected JSON value kind {value.ValueKind}.", nameof(value));
            }
        }

        private void WriteArray(JsonElement array)
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            WriteByte(output, (byte)'[');
            bool first = true;
            foreach (JsonElement item in array.EnumerateArray())
            {
                if (!first)
                {
                    WriteByte(output, (byte)',');
                }

                first = false;
                WriteValue(item);
            }

            WriteByte(output, (byte)']');
        }

        private void WriteObject(JsonElement obj)
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            int count = obj.GetPropertyCount();
            if (count == 0)
            {
                output.Write("{}"u8);
                return;
            }

            // Keys of nested objects are appended after ours and dropped again when those objects are done,
            // so the scratch buffer is used as a stack and offsets stay valid.
            int keysMark = keys.WrittenCount;
            Member[] members = ArrayPool<Member>.Shared.Rent(count);
            try
            {
                int distinct = CollectMembers(obj, count, members, out bool hasIndexKeys);
                WriteByte(output, (byte)'{');
                bool first = true;
                if (hasIndexKeys)
                {
                    int[] indexed = new int[distinct];
                    int indexedCount = 0;
                    for (int i = 0; i < distinct; i++)
                    {
                        if (members[i].Index >= 0)
                        {
                            indexed[indexedCount++] = i;
                        }
                    }

                    Array.Sort(indexed, 0, indexedCount, Comparer<int>.Create((a, b) => members[a].Index.CompareTo(members[b].Index)));
                    for (int i = 0; i < indexedCount; i++)
                    {
                        WriteMember(members[indexed[i]], ref first);
                    }
                }

                for (int i = 0; i < distinct; i++)
                {
                    if (members[i].Index < 0)
                    {
                        WriteMember(members[i], ref first);
                    }
                }

                WriteByte(output, (byte)'}');
            }
            finally
            {
                ArrayPool<Member>.Shared.Return(members, clearArray: true);
                Truncate(keysMark);
            }
        }

        private int CollectMembers(JsonElement obj, int count, Member[] members, out bool hasIndexKeys)
        {
            hasIndexKeys = false;
            int distinct = 0;
            Dictionary<string, int>? positions = count > LinearDuplicateScanLimit ? new(StringComparer.Ordinal) : null;
            foreach (JsonProperty property in obj.EnumerateObject())
            {
                ReadOnlySpan<byte> rawName = JsonMarshal.GetRawUtf8PropertyName(property);
                int keyStart = -1;
                int keyLength = 0;
                if (rawName.Contains((byte)'\\') || !Utf8.IsValid(rawName))
                {
                    // Escaped keys are compared, and written, in their normalized form: "a" and "\u0061" are one key.
                    keyStart = keys.WrittenCount;
                    WriteStringContent(keys, rawName);
                    keyLength = keys.WrittenCount - keyStart;
                }

                ReadOnlySpan<byte> key = keyStart < 0 ? rawName : keys.WrittenSpan.Slice(keyStart, keyLength);
                string? keyText = positions is null ? null : Encoding.UTF8.GetString(key);
                int existing = keyText is null
                    ? FindLinear(members, distinct, key)
                    : positions!.TryGetValue(keyText, out int position) ? position : -1;
                if (existing >= 0)
                {
                    members[existing].Value = property.Value;
                    if (keyStart >= 0)
                    {
                        Truncate(keyStart);
                    }

                    continue;
                }

                long index = ParseArrayIndex(key);
                hasIndexKeys |= index >= 0;
                members[distinct] = new Member(property, property.Value, keyStart, keyLength, index);
                if (keyText is not null)
                {
                    positions!.Add(keyText, distinct);
                }

                distinct++;
            }

            return distinct;
        }

        private int FindLinear(Member[] members, int count, ReadOnlySpan<byte> key)
        {
            for (int i = 0; i < count; i++)
            {
                if (KeyOf(members[i]).SequenceEqual(key))
                {
                    return i;
                }
            }

            return -1;
        }

        private ReadOnlySpan<byte> KeyOf(in Member member) =>
            member.KeyStart < 0
                ? JsonMarshal.GetRawUtf8PropertyName(member.Property)
                : keys.WrittenSpan.Slice(member.KeyStart, member.KeyLength);

        private void WriteMember(in Member member, ref bool first)
        {
            if (!first)
            {
                WriteByte(output, (byte)',');
            }

            first = false;
            WriteByte(output, (byte)'"');
            output.Write(KeyOf(member));
            output.Write("\":"u8);
            WriteValue(member.Value);
        }

        private void Truncate(int length)
        {
            if (length == keys.WrittenCount)
            {
                return;
            }

            // ResetWrittenCount keeps the buffer's contents (unlike Clear), so this drops only the bytes past the mark.
            keys.ResetWrittenCount();
            keys.Advance(length);
        }
    }
}
