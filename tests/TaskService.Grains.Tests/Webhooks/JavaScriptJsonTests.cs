using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskService.Webhooks;

namespace TaskService.Grains.Tests.Webhooks;

public sealed class JavaScriptJsonTests
{
    private static readonly JsonDocumentOptions DeepDocuments = new() { MaxDepth = 4096 };

    /// <summary>Input JSON text and what <c>JSON.stringify(JSON.parse(input))</c> gives in Node 20.</summary>
    public static TheoryData<string, string> KnownCases() => new()
    {
        // Literals and whitespace.
        { "true", "true" },
        { "false", "false" },
        { "null", "null" },
        { " \t\r\n { \"a\" : [ 1 , true , null ] , \"b\" : { } , \"c\" : [ ] } \n", """{"a":[1,true,null],"b":{},"c":[]}""" },

        // Integers.
        { "0", "0" },
        { "-0", "0" },
        { "-0.0", "0" },
        { "-0e10", "0" },
        { "1.0", "1" },
        { "1.50", "1.5" },
        { "100", "100" },
        { "-42", "-42" },
        { "999999999999999", "999999999999999" },
        { "9007199254740991", "9007199254740991" },
        { "9007199254740993", "9007199254740992" },
        { "12345678901234567890", "12345678901234567000" },
        { "1000000000000000128", "1000000000000000100" },
        { "18446744073709551615", "18446744073709552000" },
        { "123456789012345678901", "123456789012345680000" },
        { "1234567890123456789012", "1.2345678901234568e+21" },

        // Exponents and the 1e21 switch-over.
        { "1e20", "100000000000000000000" },
        { "1E20", "100000000000000000000" },
        { "1e+20", "100000000000000000000" },
        { "1e21", "1e+21" },
        { "1.2e21", "1.2e+21" },
        { "-1.5E+300", "-1.5e+300" },
        { "123.456e1", "1234.56" },
        { "0.1e1", "1" },
        { "1e15", "1000000000000000" },
        { "1e16", "10000000000000000" },
        { "1e2", "100" },

        // Small numbers and the 1e-7 switch-over.
        { "0.000001", "0.000001" },
        { "1e-6", "0.000001" },
        { "0.0000012345", "0.0000012345" },
        { "0.0000001", "1e-7" },
        { "1.5e-7", "1.5e-7" },
        { "123e-20", "1.23e-18" },
        { "0.1", "0.1" },
        { "0.30000000000000004", "0.30000000000000004" },
        { "0.1000000000000000055511151231257827021181583404541015625", "0.1" },
        { "5e-324", "5e-324" },
        { "-5e-324", "-5e-324" },
        { "2.2250738585072014e-308", "2.2250738585072014e-308" },
        { "1.7976931348623157e308", "1.7976931348623157e+308" },

        // Overflow prints null (JSON.stringify(Infinity)), underflow 0.
        { "1e400", "null" },
        { "-1e400", "null" },
        { "[1e309,-1e309]", "[null,null]" },
        { "1e-400", "0" },
        { "-1e-400", "0" },
        { "1" + new string('0', 400), "null" },
        { "0." + new string('0', 400) + "1", "0" },

        // Strings: only quote, backslash and control characters are escaped; lowercase hex.
        { "\"\"", "\"\"" },
        { """ "\u0000\u0001\u001f\u001F\b\t\n\u000b\f\r\u000e" """, """ "\u0000\u0001\u001f\u001f\b\t\n\u000b\f\r\u000e" """ },
        { """ "\u0008\u0009\u000A\u000c\u000D" """, """ "\b\t\n\f\r" """ },
        { """ "\"\\\/" """, """ "\"\\/" """ },
        { """ "\u0022\u005C\u002F" """, """ "\"\\/" """ },
        { """ "\u0041\u00e9\u00E9" """, "\"Aéé\"" },
        { "\"<>&'\u007f\u0080\u00ff\"", "\"<>&'\u007f\u0080\u00ff\"" },
        { """ "\u003c\u003e\u0026\u0027" """, "\"<>&'\"" },
        { "\"\u2028\u2029\"", "\"\u2028\u2029\"" },
        { """ "\u2028\u2029\ufeff\uffff" """, "\"\u2028\u2029\ufeff\uffff\"" },
        { "\"héllo wörld — 日本語 עברית\"", "\"héllo wörld — 日本語 עברית\"" },

        // Supplementary characters: raw, escaped as a pair (any hex case), or mixed.
        { "\"😀🇺🇳👩‍👩‍👧\"", "\"😀🇺🇳👩‍👩‍👧\"" },
        { """ "\ud83d\ude00" """, "\"😀\"" },
        { """ "\uD83D\uDE00" """, "\"😀\"" },
        { """ "\ud800\udc00\udbff\udfff" """, "\"\U00010000\U0010ffff\"" },

        // Lone surrogates stay escaped, in lowercase (well-formed JSON.stringify).
        { """ "\ud800" """, """ "\ud800" """ },
        { """ "\uDC00" """, """ "\udc00" """ },
        { """ "a\uDBFFb" """, """ "a\udbffb" """ },
        { """ "\ud800\ud800\udc00" """, "\"\\ud800\U00010000\"" },
        { """ "\udc00\ud800" """, """ "\udc00\ud800" """ },
        { """ "\ud83d\u0041\ude00" """, """ "\ud83dA\ude00" """ },
        { "\"😀\\udc00\"", "\"😀\\udc00\"" },
        { "\"\\ud83d😀\"", "\"\\ud83d😀\"" },
        { """ "\ud83d\n\ude00" """, """ "\ud83d\n\ude00" """ },
        { """ "\ud83d" """, """ "\ud83d" """ },

        // Property order: array indices ascending first, then the other keys in insertion order.
        { """{"b":1,"a":2,"1":3,"0":4}""", """{"0":4,"1":3,"b":1,"a":2}""" },
        {
            """{"01":1,"1":2,"-1":3,"4294967295":4,"4294967294":5,"1.0":6,"10":7,"2":8,"00":9,"0":10}""",
            """{"0":10,"1":2,"2":8,"10":7,"4294967294":5,"01":1,"-1":3,"4294967295":4,"1.0":6,"00":9}"""
        },
        { """{" 1":1,"1 ":2,"+1":3,"1e3":4,"0x1":5,"９":6,"":7}""", """{" 1":1,"1 ":2,"+1":3,"1e3":4,"0x1":5,"９":6,"":7}""" },
        { """{"99999999999":1,"4294967296":2,"3":3}""", """{"3":3,"99999999999":1,"4294967296":2}""" },
        { """{"\u0031":1,"\u0030":2}""", """{"0":2,"1":1}""" },

        // Duplicate keys: first position, last value; keys compare after unescaping.
        { """{"a":1,"b":2,"a":3}""", """{"a":3,"b":2}""" },
        { """{"a":1,"\u0061":2}""", """{"a":2}""" },
        { """{"a":{"x":1},"b":2,"a":[3]}""", """{"a":[3],"b":2}""" },
        { """{"1":1,"a":2,"1":3,"0":4,"\u0031":5}""", """{"0":4,"1":5,"a":2}""" },
        { """{"\ud800":1,"\uD800":2,"\ud800\udc00":3,"𐀀":4}""", """{"\ud800":2,"𐀀":4}""" },
        { """{"__proto__":1,"constructor":2,"toString":3}""", """{"__proto__":1,"constructor":2,"toString":3}""" },

        // Keys that need escaping on the way out.
        { """{"\n":1,"\u0000":2,"\"":3,"\\":4,"\/":5}""", """{"\n":1,"\u0000":2,"\"":3,"\\":4,"/":5}""" },

        // Nesting.
        { """[[],[[]],{"a":{"b":{"c":[{"2":0,"1":0}]}}}]""", """[[],[[]],{"a":{"b":{"c":[{"1":0,"2":0}]}}}]""" },
        { """{"x":[1.0,-0,"\u0041",{"b":null,"a":false}]}""", """{"x":[1,0,"A",{"b":null,"a":false}]}""" },
    };

    [Theory]
    [MemberData(nameof(KnownCases))]
    public void SerializesLikeJavaScriptStringifyOfParse(string input, string expected)
    {
        Assert.Equal(expected.Trim(), Serialize(input.Trim()));
    }

    [Fact]
    public void DeepNestingIsPreserved()
    {
        const int depth = 1000;
        string input = new string('[', depth) + "{\"1\":1,\"0\":[]}" + new string(']', depth);
        string expected = new string('[', depth) + "{\"0\":[],\"1\":1}" + new string(']', depth);

        Assert.Equal(expected, Serialize(input));
    }

    [Fact]
    public void LargeObjectsWithDuplicateKeysKeepFirstPositionAndLastValue()
    {
        // More members than the linear duplicate scan handles, so the dictionary path is taken.
        var input = new StringBuilder("{");
        for (int i = 0; i < 40; i++)
        {
            input.Append(CultureInfo.InvariantCulture, $"\"k{i}\":{i},\"{39 - i}\":{i},");
        }

        input.Append("\"k\\u0030\":\"last\",\"\\u0035\":\"five\"}");
        var expected = new StringBuilder("{");
        for (int i = 0; i < 40; i++)
        {
            expected.Append(CultureInfo.InvariantCulture, $"\"{i}\":{(i == 5 ? "\"five\"" : (39 - i).ToString(CultureInfo.InvariantCulture))},");
        }

        for (int i = 0; i < 40; i++)
        {
            expected.Append(CultureInfo.InvariantCulture, $"\"k{i}\":{(i == 0 ? "\"last\"" : i.ToString(CultureInfo.InvariantCulture))},");
        }

        expected[^1] = '}';

        Assert.Equal(expected.ToString(), Serialize(input.ToString()));
    }

    [Fact]
    public void InvalidUtf8InStringsBecomesReplacementCharacters()
    {
        // JsonDocument accepts invalid UTF-8; a receiver decoding the body would see U+FFFD instead.
        byte[] input = [.. "{\"k"u8, 0xFF, .. "\":\"a"u8, 0xC3, .. "b"u8, 0xE2, 0x82, .. "c"u8, 0xED, 0xA0, 0x80, .. "\"}"u8];

        using JsonDocument document = JsonDocument.Parse(input);

        Assert.Equal("{\"k\uFFFD\":\"a\uFFFDb\uFFFDc\uFFFD\uFFFD\uFFFD\"}", JavaScriptJson.Serialize(document.RootElement));
    }

    [Fact]
    public void AllEntryPointsProduceTheSameUtf8()
    {
        const string input = """{"b":[1e21,"\ud800😀é"],"0":-0}""";
        using JsonDocument document = JsonDocument.Parse(input);
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("prefix:"u8);

        JavaScriptJson.Write(buffer, document.RootElement);

        byte[] bytes = JavaScriptJson.SerializeToUtf8Bytes(document.RootElement);
        Assert.Equal("""{"0":0,"b":[1e+21,"\ud800😀é"]}""", Encoding.UTF8.GetString(bytes));
        byte[] expectedBuffer = [.. "prefix:"u8, .. bytes];
        Assert.Equal(expectedBuffer, buffer.WrittenSpan.ToArray());
        Assert.Equal(Encoding.UTF8.GetString(bytes), JavaScriptJson.Serialize(document.RootElement));
    }

    [Fact]
    public void NegativeZeroIsWrittenAsZero()
    {
        // Not an [InlineData] row: the analyzer treats -0.0 and 0.0 as the same data.
        var buffer = new ArrayBufferWriter<byte>();

        JavaScriptJson.WriteNumber(buffer, -0.0);

        Assert.Equal("0", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void ElementWithoutValueIsRejected()
    {
        Assert.Throws<ArgumentException>(() => JavaScriptJson.Serialize(default));
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(double.NaN, "null")]
    [InlineData(double.PositiveInfinity, "null")]
    [InlineData(double.NegativeInfinity, "null")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1.5e-7, "1.5e-7")]
    [InlineData(-0.000001, "-0.000001")]
    [InlineData(1700000000000d, "1700000000000")]
    [InlineData(double.Epsilon, "5e-324")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    public void WriteNumberFormatsLikeNumberToString(double value, string expected)
    {
        var buffer = new ArrayBufferWriter<byte>();

        JavaScriptJson.WriteNumber(buffer, value);

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void WriteStringEscapesLikeStringify()
    {
        // Not an [InlineData] theory: lone surrogates and NUL do not survive test-case serialization.
        (string Value, string Expected)[] cases =
        [
            ("", "\"\""),
            ("plain <&> '/' é 😀 \u2028", "\"plain <&> '/' é 😀 \u2028\""),
            ("\"\\\b\f\n\r\t\u0000\u001f\u007f", "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\u007f\""),
            ("a\ud800b\udc00\ud83d\ude00\ud83d", "\"a\\ud800b\\udc00😀\\ud83d\""),
        ];

        foreach ((string value, string expected) in cases)
        {
            var buffer = new ArrayBufferWriter<byte>();
            JavaScriptJson.WriteString(buffer, value);
            Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    [Fact]
    public void WriteStringAndWriteNumberAgreeWithSerializingTheParsedToken()
    {
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            string text = NastyJsonGenerator.RandomUtf16(random, random.Next(0, 12));
            var escaped = new StringBuilder("\"");
            foreach (char c in text)
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }

            escaped.Append('"');
            var stringBuffer = new ArrayBufferWriter<byte>();
            JavaScriptJson.WriteString(stringBuffer, text);
            Assert.Equal(Serialize(escaped.ToString()), Encoding.UTF8.GetString(stringBuffer.WrittenSpan));

            double number = NastyJsonGenerator.RandomFiniteDouble(random);
            var numberBuffer = new ArrayBufferWriter<byte>();
            JavaScriptJson.WriteNumber(numberBuffer, number);
            Assert.Equal(Serialize(number.ToString("R", CultureInfo.InvariantCulture)), Encoding.UTF8.GetString(numberBuffer.WrittenSpan));
        }
    }

    [Fact]
    public async Task MatchesNodeForKnownCasesAndRandomDocuments()
    {
        var inputs = new List<byte[]>();
        foreach (object[] row in KnownCases())
        {
            inputs.Add(Encoding.UTF8.GetBytes(((string)row[0]).Trim()));
        }

        var random = new Random(20_240_607);
        for (int i = 0; i < 500; i++)
        {
            inputs.Add(Encoding.UTF8.GetBytes(NastyJsonGenerator.Document(random)));
        }

        // Number formatting over the whole double range, in one document per style.
        foreach (string format in new[] { "R", "E16", "G17", "F2" })
        {
            var numbers = new StringBuilder("[");
            for (int i = 0; i < 2000; i++)
            {
                numbers.Append(NastyJsonGenerator.RandomFiniteDouble(random).ToString(format, CultureInfo.InvariantCulture)).Append(',');
            }

            numbers[^1] = ']';
            inputs.Add(Encoding.UTF8.GetBytes(numbers.ToString()));
        }

        // Invalid UTF-8 inside strings, which JsonDocument lets through.
        inputs.Add([.. "[\""u8, 0xFF, 0xFE, .. "\",\""u8, 0xF0, 0x9F, 0x98, .. "\",\""u8, 0xC0, 0xAF, 0xE0, 0x80, 0xBF, .. "\",\""u8, 0xF4, 0x90, 0x80, 0x80, .. "\"]"u8]);
        inputs.Add([.. "{\""u8, 0x80, .. "\":1,\""u8, 0xBF, .. "\":2,\"\\ufffd\":3}"u8]);

        string?[] expected = await NodeJs.StringifyParseAsync(inputs);

        Assert.Equal(inputs.Count, expected.Length);
        var mismatches = new List<string>();
        for (int i = 0; i < inputs.Count; i++)
        {
            Assert.True(expected[i] is not null, $"node rejected input #{i}: {Encoding.UTF8.GetString(inputs[i])}");
            using JsonDocument document = JsonDocument.Parse(inputs[i], DeepDocuments);
            string actual = Encoding.UTF8.GetString(JavaScriptJson.SerializeToUtf8Bytes(document.RootElement));
            if (actual != expected[i])
            {
                mismatches.Add($"#{i} input:    {Encoding.UTF8.GetString(inputs[i])}\n   node:     {expected[i]}\n   ours:     {actual}");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {inputs.Count} differ from node:\n{string.Join("\n", mismatches.Take(10))}");
    }

    private static string Serialize(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json, DeepDocuments);
        return JavaScriptJson.Serialize(document.RootElement);
    }
}

/// <summary>Runs <c>JSON.stringify(JSON.parse(text))</c> in Node over a batch of UTF-8 inputs.</summary>
file static class NodeJs
{
    // Inputs and outputs travel as base64 of UTF-8 so nothing is re-encoded in between; Buffer#toString
    // decodes invalid UTF-8 to U+FFFD as an HTTP receiver would.
    private const string Script = """
        const fs = require('fs');
        const inputs = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
        const outputs = inputs.map((b64) => {
          try {
            const text = Buffer.from(b64, 'base64').toString('utf8');
            return Buffer.from(JSON.stringify(JSON.parse(text)), 'utf8').toString('base64');
          } catch {
            return null;
          }
        });
        process.stdout.write(JSON.stringify(outputs));
        """;

    public static async Task<string?[]> StringifyParseAsync(IReadOnlyList<byte[]> inputs)
    {
        string inputFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(inputFile, JsonSerializer.Serialize(inputs.Select(Convert.ToBase64String)));
            var startInfo = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                ArgumentList = { "-e", Script, inputFile },
            };

            Process process;
            try
            {
                process = Process.Start(startInfo) ?? throw new InvalidOperationException("node did not start.");
            }
            catch (Win32Exception exception)
            {
                Assert.Fail($"The differential test needs Node.js 20 ('node' on PATH); run it through scripts/test.sh. ({exception.Message})");
                throw;
            }

            using (process)
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                Task<string> error = process.StandardError.ReadToEndAsync(deadline.Token);
                Task<string> output = process.StandardOutput.ReadToEndAsync(deadline.Token);
                try
                {
                    await process.WaitForExitAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill();
                    Assert.Fail("node did not finish within two minutes.");
                }

                Assert.True(process.ExitCode == 0, $"node exited with {process.ExitCode}: {await error}");
                string?[] encoded = JsonSerializer.Deserialize<string?[]>(await output) ?? [];
                return [.. encoded.Select(b64 => b64 is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(b64)))];
            }
        }
        finally
        {
            File.Delete(inputFile);
        }
    }
}

/// <summary>Seeded generator of JSON documents full of the cases that break naive serializers.</summary>
file static class NastyJsonGenerator
{
    private static readonly string[] SpecialNumbers =
    [
        "0", "-0", "0.0", "-0.0", "0e0", "-0E-0", "1", "-1", "1.0", "1e0", "10", "1e1", "1E+1", "0.5", "1e20", "1e21",
        "1e22", "9e20", "999999999999999999999", "1000000000000000000000", "1e-6", "1e-7", "0.000001", "0.0000001",
        "0.00000123", "1.5e-7", "5e-324", "2e-324", "3e-324", "2.4703282292062328e-324", "2.4703282292062327e-324",
        "1e-400", "-1e-400", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e308",
        "1e309", "-1e309", "1e400", "9007199254740991", "9007199254740992", "9007199254740993", "-9007199254740993",
        "12345678901234567890", "18446744073709551616", "0.1", "0.2", "0.3", "0.30000000000000004", "123.456",
        "1.7976931348623157E+308", "2.2250738585072011e-308", "2.2250738585072012e-308", "4.9406564584124654e-324",
        "0.1000000000000000055511151231257827021181583404541015625", "100000000000000000000.5", "1.25", "1.35",
        "8.41e21", "5e-7", "-4.94e-324", "123456789e-30", "0.000000000000000000000000000001",
    ];

    private static readonly string[] SpecialKeys =
    [
        "0", "1", "2", "10", "01", "00", "-1", "-0", "1.0", "1e3", " 1", "+1", "4294967294", "4294967295",
        "4294967296", "99999999999", "\\u0030", "\\u0031\\u0030", "a", "\\u0061", "b", "__proto__", "length", "",
        "\\ud800", "\\uD800", "\\ud83d\\ude00", "😀", "\\n", "\\u0000", "é", "\\u00e9",
    ];

    private static readonly string[] Escapes = ["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"];

    private static readonly string[] RawPieces = ["é", "ß", "日本", "😀", "👩‍👩‍👧", "\u2028", "\u2029", "\u007f", "\u0080", "\ufeff", "\uffff", "<", ">", "&", "'", "/", " "];

    public static string Document(Random random)
    {
        var text = new StringBuilder();
        WriteValue(random, text, depth: 0);
        return text.ToString();
    }

    public static double RandomFiniteDouble(Random random)
    {
        while (true)
        {
            double value = random.Next(4) switch
            {
                0 => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
                1 => Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-10, 25)), random.Next(0, 8)),
                2 => random.NextInt64(-(1L << 60), 1L << 60) * Math.Pow(10, random.Next(-30, 30)),
                _ => random.NextDouble() * Math.Pow(10, random.Next(-325, 309)),
            };
            if (double.IsFinite(value))
            {
                return value;
            }
        }
    }

    public static string RandomUtf16(Random random, int length)
    {
        var text = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            text.Append(random.Next(5) switch
            {
                0 => ((char)random.Next(0, 0x20)).ToString(),
                1 => ((char)random.Next(0xD800, 0xE000)).ToString(),
                2 => "😀",
                3 => "\"\\/",
                _ => ((char)random.Next(0x20, 0x10000)).ToString(),
            });
        }

        return text.ToString();
    }

    private static void WriteValue(Random random, StringBuilder text, int depth)
    {
        Whitespace(random, text);
        int kind = depth > 5 ? random.Next(5) : random.Next(8);
        switch (kind)
        {
            case 0:
                text.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
            case 1:
            case 2:
                WriteNumber(random, text);
                break;
            case 3:
            case 4:
                WriteString(random, text, random.Next(0, 12));
                break;
            case 5:
                WriteArray(random, text, depth);
                break;
            default:
                WriteObject(random, text, depth);
                break;
        }

        Whitespace(random, text);
    }

    private static void WriteArray(Random random, StringBuilder text, int depth)
    {
        text.Append('[');
        int count = random.Next(0, 6);
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            WriteValue(random, text, depth + 1);
        }

        Whitespace(random, text);
        text.Append(']');
    }

    private static void WriteObject(Random random, StringBuilder text, int depth)
    {
        text.Append('{');
        int count = random.Next(4) == 0 ? random.Next(15, 30) : random.Next(0, 7);
        var used = new List<string>();
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            Whitespace(random, text);
            int choice = random.Next(10);
            if (choice < 2 && used.Count > 0)
            {
                text.Append(used[random.Next(used.Count)]);
            }
            else
            {
                var key = new StringBuilder();
                if (choice < 6)
                {
                    key.Append('"').Append(SpecialKeys[random.Next(SpecialKeys.Length)]).Append('"');
                }
                else if (choice < 8)
                {
                    key.Append('"').Append(random.Next(4) == 0 ? random.NextInt64(0, 10_000_000_000) : random.Next(0, 50)).Append('"');
                }
                else
                {
                    WriteString(random, key, random.Next(0, 4));
                }

                used.Add(key.ToString());
                text.Append(key);
            }

            Whitespace(random, text);
            text.Append(':');
            WriteValue(random, text, depth + 1);
        }

        Whitespace(random, text);
        text.Append('}');
    }

    private static void WriteNumber(Random random, StringBuilder text)
    {
        switch (random.Next(6))
        {
            case 0:
                text.Append(SpecialNumbers[random.Next(SpecialNumbers.Length)]);
                break;
            case 1:
                text.Append(RandomFiniteDouble(random).ToString(random.Next(2) == 0 ? "R" : "E20", CultureInfo.InvariantCulture));
                break;
            default:
                if (random.Next(3) == 0)
                {
                    text.Append('-');
                }

                int integerDigits = random.Next(1, 30);
                text.Append(integerDigits == 1 ? (char)('0' + random.Next(10)) : (char)('1' + random.Next(9)));
                Digits(random, text, integerDigits - 1);
                if (random.Next(2) == 0)
                {
                    text.Append('.');
                    Digits(random, text, random.Next(1, 25));
                }

                if (random.Next(2) == 0)
                {
                    text.Append(random.Next(2) == 0 ? 'e' : 'E');
                    text.Append(random.Next(3) switch { 0 => "+", 1 => "-", _ => "" });
                    text.Append(random.Next(4) == 0 ? random.Next(0, 400) : random.Next(0, 30));
                }

                break;
        }
    }

    private static void Digits(Random random, StringBuilder text, int count)
    {
        for (int i = 0; i < count; i++)
        {
            text.Append((char)('0' + random.Next(10)));
        }
    }

    private static void WriteString(Random random, StringBuilder text, int pieces)
    {
        text.Append('"');
        for (int i = 0; i < pieces; i++)
        {
            switch (random.Next(8))
            {
                case 0:
                    text.Append(Escapes[random.Next(Escapes.Length)]);
                    break;
                case 1:
                    // Any code unit, lone surrogates and control characters included, in either hex case.
                    text.Append(CultureInfo.InvariantCulture, $"\\u{random.Next(0x10000).ToString(random.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture)}");
                    break;
                case 2:
                    text.Append(CultureInfo.InvariantCulture, $"\\u{random.Next(0xD800, 0xDC00):x4}\\u{random.Next(0xDC00, 0xE000):X4}");
                    break;
                case 3:
                    text.Append(CultureInfo.InvariantCulture, $"\\u{random.Next(0xD800, 0xE000):x4}");
                    break;
                case 4:
                    text.Append(CultureInfo.InvariantCulture, $"\\u00{random.Next(0x20):x2}");
                    break;
                case 5:
                    text.Append(RawPieces[random.Next(RawPieces.Length)]);
                    break;
                case 6:
                    text.Append(char.ConvertFromUtf32(random.Next(2) == 0 ? random.Next(0xA0, 0xD800) : random.Next(0x10000, 0x110000)));
                    break;
                default:
                    text.Append((char)random.Next(0x20, 0x7F) switch { '"' => "'", '\\' => "/", char c => c.ToString() });
                    break;
            }
        }

        text.Append('"');
    }

    private static void Whitespace(Random random, StringBuilder text)
    {
        if (random.Next(4) == 0)
        {
            text.Append(" \t\n\r"[random.Next(4)]);
        }
    }
}
