using System.Globalization;
using System.Text.Json;

namespace TaskService.Api.Tests;

/// <summary>Compares JSON values as JavaScript sees them after <c>JSON.parse</c>: numbers as doubles, members in any order.</summary>
public static class JsonSemantics
{
    public static void AssertEquivalent(JsonElement expected, JsonElement actual, string path = "$")
    {
        var expectedKind = Kind(expected);
        var actualKind = Kind(actual);
        Assert.True(expectedKind == actualKind, $"{path}: expected {expected.GetRawText()} but got {actual.GetRawText()}");
        switch (expectedKind)
        {
            case JsonValueKind.Object:
                // JSON.parse keeps the last value of a repeated key.
                var expectedMembers = Members(expected);
                var actualMembers = Members(actual);
                var expectedNames = expectedMembers.Keys.Order(StringComparer.Ordinal).ToArray();
                var actualNames = actualMembers.Keys.Order(StringComparer.Ordinal).ToArray();
                Assert.True(expectedNames.SequenceEqual(actualNames), $"{path}: expected members [{string.Join(", ", expectedNames)}] but got [{string.Join(", ", actualNames)}]");
                foreach (var name in expectedNames)
                {
                    AssertEquivalent(expectedMembers[name], actualMembers[name], $"{path}.{name}");
                }

                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: expected {expected.GetArrayLength()} items but got {actual.GetArrayLength()}");
                var index = 0;
                foreach (var (e, a) in expected.EnumerateArray().Zip(actual.EnumerateArray()))
                {
                    AssertEquivalent(e, a, $"{path}[{index++}]");
                }

                break;
            case JsonValueKind.Number:
                Assert.True(Number(expected) == Number(actual), $"{path}: expected the number {expected.GetRawText()} but got {actual.GetRawText()}");
                break;
            case JsonValueKind.String:
                Assert.True(SameString(expected, actual), $"{path}: expected {expected.GetRawText()} but got {actual.GetRawText()}");
                break;
        }
    }

    private static Dictionary<string, JsonElement> Members(JsonElement value)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            members[property.Name] = property.Value;
        }

        return members;
    }

    /// <summary>The kind after JSON.parse; a number too large for a double becomes Infinity, which JSON.stringify writes as null.</summary>
    private static JsonValueKind Kind(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && !double.IsFinite(Number(value)) ? JsonValueKind.Null : value.ValueKind;

    private static double Number(JsonElement value) => double.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static bool SameString(JsonElement expected, JsonElement actual)
    {
        try
        {
            return string.Equals(expected.GetString(), actual.GetString(), StringComparison.Ordinal);
        }
        catch (InvalidOperationException)
        {
            // Lone surrogates cannot be decoded to a .NET string by JsonElement; both sides then carry them as \u escapes.
            return string.Equals(expected.GetRawText(), actual.GetRawText(), StringComparison.OrdinalIgnoreCase);
        }
    }
}
