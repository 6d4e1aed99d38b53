using System.Text.Json;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Serialization;
using TaskService.Workflows;

namespace TaskService.Grains.Tests.Workflows;

public sealed class InputSchemaValidatorTests
{
    private static readonly LimitsOptions Limits = new();

    [Theory]
    [InlineData("""{"$ref":"#"}""", "would never end")]
    [InlineData("""{"allOf":[{"$ref":"#"}]}""", "would never end")]
    [InlineData("""{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"anyOf":[{"$ref":"#/$defs/a"}]}}}""", "would never end")]
    [InlineData("""{"$defs":{"a":{"$anchor":"self","not":{"$ref":"#self"}}}}""", "would never end")]
    [InlineData("""{"$ref":"https://example.com/schema.json"}""", "nothing is fetched")]
    [InlineData("""{"$ref":"file:///etc/passwd"}""", "nothing is fetched")]
    [InlineData("""{"$ref":"other.json#/x"}""", "nothing is fetched")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "does not point to a subschema")]
    [InlineData("""{"$ref":"#/properties"}""", "does not point to a subschema")]
    [InlineData("""{"$ref":"#nowhere"}""", "no subschema declares '$anchor'")]
    [InlineData("""{"$schema":"https://example.com/my-draft"}""", "not a JSON Schema draft this service evaluates")]
    [InlineData("""{"$schema":"http://json-schema.org/draft-04/schema#"}""", "not a JSON Schema draft this service evaluates")]
    [InlineData("""{"properties":{"a":{"$dynamicRef":"#meta"}}}""", "dynamic references are not supported")]
    [InlineData("""{"properties":{"a":{"$id":"https://evil.example/x","type":"string"}}}""", "only the root may carry '$id'")]
    [InlineData("""{"pattern":"(unclosed"}""", "is not a regular expression")]
    [InlineData("""{"patternProperties":{"[z-a]":true}}""", "is not a regular expression")]
    [InlineData("""{"type":"object","properties":{"a":"string"}}""", "where a schema (an object, or true/false) belongs")]
    public void ASchemaThatCannotBeEvaluatedSafelyIsRefusedAtDeployment(string schema, string reason)
    {
        var exception = Assert.IsType<Problem>(InputSchemaValidator.SchemaProblem(Parse(schema), Limits));

        Assert.Equal(TaskServiceErrorKind.Invalid, exception.Kind);
        Assert.Equal("inputSchema", exception.Target);
        Assert.Contains(reason, exception.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ASchemaThatReferencesItselfAtTheRootIsRefusedAndNeverEvaluated()
    {
        // Stored before these checks existed: executing must refuse it too, not overflow the stack.
        var exception = Assert.IsType<Problem>(InputSchemaValidator.InputProblem(Parse("""{"$ref":"#"}"""), Parse("""{"a":1}"""), Limits));

        Assert.Equal("inputSchema", exception.Target);
        Assert.Contains("would never end", exception.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#"}}}}""")]
    [InlineData("""{"$defs":{"node":{"type":"object","properties":{"left":{"$ref":"#/$defs/node"},"right":{"$ref":"#/$defs/node"}}}},"$ref":"#/$defs/node"}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://example.com/order","$defs":{"id":{"$anchor":"id","type":"string","pattern":"^[a-z]+$"}},"properties":{"id":{"$ref":"#id"}}}""")]
    [InlineData("""{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"a":{"type":"string"}},"properties":{"a":{"$ref":"#/definitions/a"}},"dependencies":{"a":["b"]}}""")]
    [InlineData("""{"$defs":{"a b":{"type":"string"},"c/d":{"type":"integer"}},"properties":{"x":{"$ref":"#/$defs/a%20b"},"y":{"$ref":"#/$defs/c~1d"}}}""")]
    public void RecursionThatDescendsIntoTheInputAndInternalReferencesAreAccepted(string schema)
    {
        Assert.Null(InputSchemaValidator.SchemaProblem(Parse(schema), Limits));
    }

    [Fact]
    public void RecursiveSchemasStillValidateTheirInput()
    {
        var schema = Parse("""{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#"}}}}""");

        Assert.Null(InputSchemaValidator.InputProblem(schema, Parse("""{"name":"a","children":[{"name":"b","children":[]}]}"""), Limits));
        var exception = Assert.IsType<Problem>(InputSchemaValidator.InputProblem(schema, Parse("""{"name":"a","children":[{"children":[]}]}"""), Limits));

        Assert.Contains("input/children/0", exception.Errors!.Keys);
    }

    [Fact]
    public void CombinationsThatMultiplyTheWorkPerValueAreRefused()
    {
        // Each level doubles the subschemas applied to the same value: 2^20 evaluations of one input value.
        var defs = string.Join(",", Enumerable.Range(0, 20).Select(i => $$"""
            "d{{i}}":{"anyOf":[{"$ref":"#/$defs/d{{i + 1}}"},{"$ref":"#/$defs/d{{i + 1}}"}]}
            """));
        var schema = Parse("{\"$defs\":{" + defs + ",\"d20\":{\"type\":\"string\"}},\"$ref\":\"#/$defs/d0\"}");

        var exception = Assert.IsType<Problem>(InputSchemaValidator.SchemaProblem(schema, Limits));

        Assert.Contains("more than 1000 subschemas", exception.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInputWhoseCheckWouldTakeTooLongIsRefusedBeforeEvaluating()
    {
        // 2^7 branches per array element, under the per-value bound; 3,000 elements would take about 15 s to evaluate.
        var defs = string.Join(",", Enumerable.Range(0, 7).Select(i => $$"""
            "d{{i}}":{"anyOf":[{"$ref":"#/$defs/d{{i + 1}}"},{"$ref":"#/$defs/d{{i + 1}}"}]}
            """));
        var schema = Parse("{\"$defs\":{" + defs + ",\"d7\":{\"type\":\"integer\"}},\"properties\":{\"a\":{\"items\":{\"$ref\":\"#/$defs/d0\"}}}}");
        Assert.Null(InputSchemaValidator.SchemaProblem(schema, Limits));
        var input = Parse("{\"a\":[" + string.Join(",", Enumerable.Repeat("1", 3_000)) + "]}");

        var exception = Assert.IsType<Problem>(Quickly.Runs(() => InputSchemaValidator.InputProblem(schema, input, Limits), TimeSpan.FromMilliseconds(200), "refusing"));

        Assert.Equal("input", exception.Target);
        Assert.Contains("too large to check", exception.Detail, StringComparison.Ordinal);
        Assert.Null(InputSchemaValidator.InputProblem(schema, Parse("""{"a":[1,2,3]}"""), Limits));
    }

    [Fact]
    public void ACatastrophicPatternOnALongInputAnswersWellUnderASecond()
    {
        var schema = Parse("""{"type":"object","properties":{"code":{"type":"string","pattern":"^(a+)+$"}},"patternProperties":{"^(b+)+$":{"type":"integer"}}}""");
        Assert.Null(InputSchemaValidator.SchemaProblem(schema, Limits));
        var evil = new string('a', 5_000) + "!";
        var evilKey = new string('b', 5_000) + "!";

        // Backtracking on 5,000 characters would take far longer than the age of the universe; a second leaves room for a busy machine.
        var (exception, valid) = Quickly.Runs(
            () => (InputSchemaValidator.InputProblem(schema, Parse($$"""{"code":"{{evil}}","{{evilKey}}":"x"}"""), Limits),
                   InputSchemaValidator.InputProblem(schema, Parse($$"""{"code":"{{new string('a', 5_000)}}","bbbb":1}"""), Limits)),
            TimeSpan.FromSeconds(1), "validation");

        Assert.Contains("input/code", Assert.IsType<Problem>(exception).Errors!.Keys);
        Assert.Null(valid);
    }

    [Fact]
    public void APatternTheLinearEngineCannotRunIsBoundedByTheMatchTimeoutAndRefusesTheInput()
    {
        // A back-reference needs the backtracking engine; (a|aa)+\1 over a long run of 'a' backtracks exponentially.
        var schema = Parse("""{"properties":{"code":{"type":"string","pattern":"^(a|aa)+\\1(x)$"}}}""");
        var limits = new LimitsOptions { RegexMatchTimeout = TimeSpan.FromMilliseconds(50) };
        Assert.Null(InputSchemaValidator.SchemaProblem(schema, limits));

        var exception = Assert.IsType<Problem>(Quickly.Runs(
            () => InputSchemaValidator.InputProblem(schema, Parse($$"""{"code":"{{new string('a', 60)}}"}"""), limits), TimeSpan.FromSeconds(1), "validation"));

        Assert.Equal("input", exception.Target);
        Assert.Contains("RegexMatchTimeout", exception.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ALoneSurrogateInASchemaIsRefused()
    {
        var exception = Assert.IsType<Problem>(InputSchemaValidator.SchemaProblem(Parse("""{"properties":{"a":{"const":"\ud800"}}}"""), Limits));

        Assert.Equal("inputSchema", exception.Target);
        Assert.Contains("lone UTF-16 surrogate", exception.Detail, StringComparison.Ordinal);
        Assert.Contains("/properties/a/const", exception.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ALoneSurrogateInAPropertyNameOfASchemaIsRefused()
    {
        var exception = Assert.IsType<Problem>(InputSchemaValidator.SchemaProblem(Parse("""{"properties":{"\udc00":true}}"""), Limits));

        Assert.Contains("lone UTF-16 surrogate", exception.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void SchemasOverTheSizeOrDepthLimitAreRefused()
    {
        var limits = new LimitsOptions { MaxInputSchemaBytes = 100, MaxJsonDepth = 4 };
        var large = Parse($$"""{"description":"{{new string('x', 200)}}"}""");
        var deep = Parse("""{"properties":{"a":{"properties":{"b":{"type":"string"}}}}}""");

        var tooLarge = Assert.IsType<Problem>(InputSchemaValidator.SchemaProblem(large, limits));
        var tooDeep = Assert.IsType<Problem>(InputSchemaValidator.SchemaProblem(deep, limits));

        Assert.Contains("MaxInputSchemaBytes", tooLarge.Detail, StringComparison.Ordinal);
        Assert.Contains("MaxJsonDepth", tooDeep.Detail, StringComparison.Ordinal);
        Assert.Null(InputSchemaValidator.SchemaProblem(deep, Limits));
    }

    [Fact]
    public void TwoSchemasWithTheSameIdAreEvaluatedIndependently()
    {
        var first = Parse("""{"$id":"https://example.com/s","properties":{"a":{"type":"string"}}}""");
        var second = Parse("""{"$id":"https://example.com/s","properties":{"a":{"type":"integer"}}}""");

        Assert.Null(InputSchemaValidator.InputProblem(first, Parse("""{"a":"x"}"""), Limits));
        Assert.Null(InputSchemaValidator.InputProblem(second, Parse("""{"a":1}"""), Limits));
        Assert.IsType<Problem>(InputSchemaValidator.InputProblem(second, Parse("""{"a":"x"}"""), Limits));
    }

    private static JsonElement Parse(string json) => JsonElementFactory.Parse(json);
}
