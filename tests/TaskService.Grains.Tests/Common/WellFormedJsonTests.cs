using System.Text;
using System.Text.Json;
using TaskService.Serialization;

namespace TaskService.Grains.Tests.Common;

/// <summary>
/// The check every stored document passes: plain text is let through without being decoded, and each kind of text no store can
/// keep is refused with the path to it, however it is written (escaped, raw, in a value or a property name).
/// </summary>
public sealed class WellFormedJsonTests
{
    [Theory]
    [InlineData("""{"a":"plain","b":[1,2.5,-3e10,{"c":"ünïcödé ✓ 😀"}],"d":null,"e":true}""")]
    [InlineData("""{"escaped":"tab\tquote\"slash\/ \u00e9 \ud83d\ude00","na\u006de":"x"}""")]
    [InlineData("""["a","b"]""")]
    [InlineData("\"text\"")]
    public void WellFormedDocumentsPass(string json) =>
        Assert.Null(WellFormedJson.Check(Parse(json), "payload"));

    [Theory]
    [InlineData("""{"a":{"b":[1,"\ud800"]}}""", "'payload.a.b[1]' holds an unpaired UTF-16 surrogate escape")]
    [InlineData("""{"a":[{"x\udc00":1}]}""", "A property name in 'payload.a[0]' holds an unpaired UTF-16 surrogate escape")]
    [InlineData("""{"a":{"b":"x\u0000y"}}""", "'payload.a.b' holds the NUL character")]
    [InlineData("""{"a":{"n\u0000":1}}""", "A property name in 'payload.a' holds the NUL character")]
    [InlineData("""{"caf\u00e9":{"big":1e999999}}""", "'payload.café.big' holds a number that no store can keep")]
    [InlineData("""{"n":[1E-401]}""", "'payload.n[0]' holds a number that no store can keep")]
    public void IllFormedTextIsRefusedWithItsPath(string json, string detail)
    {
        var problem = WellFormedJson.Check(Parse(json), "payload");

        Assert.NotNull(problem);
        Assert.Equal("payload", problem.Target);
        Assert.StartsWith(detail, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void NulIsLetThroughWhereItIsOnlyCompared() =>
        Assert.Null(WellFormedJson.Check(Parse("""{"a":"x\u0000y"}"""), "filter", allowNul: true));

    [Fact]
    public void ANumberWithinTheLimitsPasses() =>
        Assert.Null(WellFormedJson.Check(Parse("""[1e400, -1E-400, 123456789012345678901234567890]"""), "payload"));

    [Fact]
    public void RawBytesThatAreNotUtf8AreRefusedSayingSo()
    {
        // Bytes as a client may send them: a string value whose text is not UTF-8 (0xC3 begins a two-byte sequence that 0x28 ends),
        // and a property name in Latin-1 (0xE9, 'é').
        byte[] value = [.. "{\"a\":[\"x"u8, 0xC3, 0x28, .. "\"]}"u8];
        byte[] name = [.. "{\"b\":{\"caf"u8, 0xE9, .. "\":1}}"u8];

        var valueProblem = WellFormedJson.Check(ParseBytes(value), "payload");
        var nameProblem = WellFormedJson.Check(ParseBytes(name), "payload");

        Assert.Equal("'payload.a[0]' holds bytes that are not UTF-8; send the request body encoded as UTF-8.", valueProblem?.Detail);
        Assert.Equal("A property name in 'payload.b' holds bytes that are not UTF-8; send the request body encoded as UTF-8.", nameProblem?.Detail);
    }

    private static JsonElement ParseBytes(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.Clone();
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(Encoding.UTF8.GetBytes(json));
        return document.RootElement.Clone();
    }
}
