using System.Text.Json;
using TaskService.Workflows.Expressions;

namespace TaskService.Grains.Tests.Workflows;

public sealed class JuelExpressionTests
{
    private const string VariablesJson = """
        {
          "amount": 150, "price": 19.99, "name": "Bob", "emptyText": "", "nothing": null, "flag": true, "no": false,
          "count": "10", "ratio": "1.5", "text": "abc", "yes": "TRUE",
          "customer": { "tier": "gold", "address": { "city": "Oslo" }, "tags": ["a", "b"], "and": 1 },
          "items": [ { "name": "x", "qty": 2 }, { "name": "y", "qty": 3 } ],
          "none": [], "blank": {}, "same": { "tier": "gold", "address": { "city": "Oslo" }, "tags": ["a", "b"], "and": 1 }
        }
        """;

    private static readonly Dictionary<string, JsonElement> Variables =
        JsonDocument.Parse(VariablesJson).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

    [Theory]
    [InlineData("${42}", "42")]
    [InlineData("${0}", "0")]
    [InlineData("${1.5}", "1.5")]
    [InlineData("${.5}", "0.5")]
    [InlineData("${2.}", "2")]
    [InlineData("${1e3}", "1000")]
    [InlineData("${1.5E-1}", "0.15")]
    [InlineData("${2e+2}", "200")]
    [InlineData("${'single'}", "\"single\"")]
    [InlineData("${\"double\"}", "\"double\"")]
    [InlineData("${'it\\'s'}", "\"it's\"")]
    [InlineData("${\"say \\\"hi\\\"\"}", "\"say \\\"hi\\\"\"")]
    [InlineData("${'back\\\\slash'}", "\"back\\\\slash\"")]
    [InlineData("${'a \"quoted\" }'}", "\"a \\\"quoted\\\" }\"")]
    [InlineData("${true}", "true")]
    [InlineData("${false}", "false")]
    [InlineData("${null}", "null")]
    [InlineData("#{42}", "42")]
    [InlineData("${ \t\n 42 \n}", "42")]
    public void LiteralsEvaluateToTheirJsonValue(string text, string expected) => AssertJson(expected, text);

    [Theory]
    [InlineData("${amount}", "150")]
    [InlineData("${price}", "19.99")]
    [InlineData("${name}", "\"Bob\"")]
    [InlineData("${nothing}", "null")]
    [InlineData("${customer.tier}", "\"gold\"")]
    [InlineData("${customer['tier']}", "\"gold\"")]
    [InlineData("${customer[\"tier\"]}", "\"gold\"")]
    [InlineData("${customer.address.city}", "\"Oslo\"")]
    [InlineData("${customer['address'].city}", "\"Oslo\"")]
    [InlineData("${customer.tags[1]}", "\"b\"")]
    [InlineData("${items[0].name}", "\"x\"")]
    [InlineData("${items[1]['qty']}", "3")]
    [InlineData("${items[amount - 149].name}", "\"y\"")]
    [InlineData("${items['1'].name}", "\"y\"")]
    [InlineData("${items[5]}", "null")]
    [InlineData("${items[-1]}", "null")]
    [InlineData("${customer.missing}", "null")]
    [InlineData("${customer.and}", "1")]
    [InlineData("${customer.address}", "{ \"city\": \"Oslo\" }")]
    [InlineData("${customer.tags}", "[\"a\", \"b\"]")]
    public void VariablesAndPropertiesResolveInNestedJson(string text, string expected) => AssertJson(expected, text);

    [Theory]
    [InlineData("${empty nothing}", true)]
    [InlineData("${empty emptyText}", true)]
    [InlineData("${empty none}", true)]
    [InlineData("${empty blank}", true)]
    [InlineData("${empty customer.missing}", true)]
    [InlineData("${empty name}", false)]
    [InlineData("${empty items}", false)]
    [InlineData("${empty customer}", false)]
    [InlineData("${empty 0}", false)]
    [InlineData("${empty no}", false)]
    [InlineData("${not empty name}", true)]
    [InlineData("${!empty none}", false)]
    [InlineData("${!true}", false)]
    [InlineData("${not false}", true)]
    [InlineData("${!!flag}", true)]
    [InlineData("${!nothing}", true)]
    [InlineData("${!'true'}", false)]
    public void EmptyAndNegationFollowEl(string text, bool expected) => Assert.Equal(expected, Condition(text));

    [Theory]
    [InlineData("${-5}", "-5")]
    [InlineData("${- -5}", "5")]
    [InlineData("${-amount}", "-150")]
    [InlineData("${-price}", "-19.99")]
    [InlineData("${-count}", "-10")]
    [InlineData("${-ratio}", "-1.5")]
    [InlineData("${-nothing}", "0")]
    [InlineData("${1 + 2}", "3")]
    [InlineData("${7 - 10}", "-3")]
    [InlineData("${6 * 7}", "42")]
    [InlineData("${7 / 2}", "3.5")]
    [InlineData("${7 div 2}", "3.5")]
    [InlineData("${6 / 3}", "2")]
    [InlineData("${7 % 3}", "1")]
    [InlineData("${7 mod 3}", "1")]
    [InlineData("${-7 % 3}", "-1")]
    [InlineData("${7.5 % 2}", "1.5")]
    [InlineData("${amount + price}", "169.99")]
    [InlineData("${count + 5}", "15")]
    [InlineData("${count * count}", "100")]
    [InlineData("${ratio + 1}", "2.5")]
    [InlineData("${'1e2' + 1}", "101")]
    [InlineData("${nothing + nothing}", "0")]
    [InlineData("${nothing + 2}", "2")]
    [InlineData("${0.1 + 0.2}", "0.30000000000000004")]
    [InlineData("${9223372036854775807 + 1}", "-9223372036854775808")]
    public void ArithmeticCoercesLikeEl(string text, string expected) => Assert.Equal(expected, Evaluate(text));

    [Fact]
    public void IntegerArithmeticStaysIntegral()
    {
        var result = JuelExpression.Compile("${amount * 2 - 1}").Evaluate(Variables);

        Assert.True(result.TryGetInt64(out var value));
        Assert.Equal(299, value);
    }

    [Theory]
    [InlineData("${1 + 2 * 3}", "7")]
    [InlineData("${(1 + 2) * 3}", "9")]
    [InlineData("${10 - 4 - 3}", "3")]
    [InlineData("${100 / 10 / 5}", "2")]
    [InlineData("${2 * 3 % 4}", "2")]
    [InlineData("${-2 * 3}", "-6")]
    [InlineData("${- (2 + 3)}", "-5")]
    [InlineData("${1 + 2 > 2 && 3 < 4}", "true")]
    [InlineData("${true || false && false}", "true")]
    [InlineData("${(true || false) && false}", "false")]
    [InlineData("${!false && false}", "false")]
    [InlineData("${1 < 2 == 2 < 3}", "true")]
    [InlineData("${false ? 1 : true ? 2 : 3}", "2")]
    [InlineData("${amount > 100 ? 'big' : 'small'}", "\"big\"")]
    [InlineData("${amount > 1000 ? 'big' : amount > 100 ? 'medium' : 'small'}", "\"medium\"")]
    [InlineData("${flag ? customer.address.city : 'none'}", "\"Oslo\"")]
    [InlineData("${not flag or amount == 150 and name eq 'Bob'}", "true")]
    public void PrecedenceAndAssociativityFollowEl(string text, string expected) => Assert.Equal(expected, Evaluate(text));

    [Theory]
    [InlineData("${amount > 100}", true)]
    [InlineData("${amount gt 150}", false)]
    [InlineData("${amount >= 150}", true)]
    [InlineData("${amount ge 151}", false)]
    [InlineData("${amount < 200}", true)]
    [InlineData("${amount lt 150}", false)]
    [InlineData("${amount <= 150}", true)]
    [InlineData("${amount le 149}", false)]
    [InlineData("${amount == 150}", true)]
    [InlineData("${amount eq 150.0}", true)]
    [InlineData("${amount != 150}", false)]
    [InlineData("${amount ne 151}", true)]
    [InlineData("${price > 19.9}", true)]
    [InlineData("${count == 10}", true)]
    [InlineData("${count > 9}", true)]
    [InlineData("${'10' > '9'}", false)]
    [InlineData("${ratio < 2}", true)]
    [InlineData("${'abc' < 'abd'}", true)]
    [InlineData("${'B' < 'a'}", true)]
    [InlineData("${name == 'Bob'}", true)]
    [InlineData("${name == \"bob\"}", false)]
    [InlineData("${customer.tier == 'gold' && amount > 100}", true)]
    [InlineData("${nothing == null}", true)]
    [InlineData("${null == null}", true)]
    [InlineData("${nothing == 0}", false)]
    [InlineData("${nothing != 'x'}", true)]
    [InlineData("${nothing < 1}", false)]
    [InlineData("${nothing > 1}", false)]
    [InlineData("${nothing <= null}", true)]
    [InlineData("${flag == true}", true)]
    [InlineData("${yes == true}", true)]
    [InlineData("${'false' == false}", true)]
    [InlineData("${false < true}", true)]
    [InlineData("${customer == same}", true)]
    [InlineData("${customer == customer.address}", false)]
    [InlineData("${customer == 'gold'}", false)]
    [InlineData("${customer.tags[0] == 'a'}", true)]
    [InlineData("${amount > 100 && customer.tier == 'gold'}", true)]
    public void ComparisonsFollowElCoercion(string text, bool expected) => Assert.Equal(expected, Condition(text));

    [Theory]
    [InlineData("${flag && amount > 100}", true)]
    [InlineData("${flag and no}", false)]
    [InlineData("${no || flag}", true)]
    [InlineData("${no or no}", false)]
    [InlineData("${yes && 'true'}", true)]
    [InlineData("${nothing || flag}", true)]
    [InlineData("${false && missing}", false)]
    [InlineData("${true || missing}", true)]
    [InlineData("${flag ? true : missing}", true)]
    public void LogicalOperatorsShortCircuit(string text, bool expected) => Assert.Equal(expected, Condition(text));

    [Theory]
    [InlineData("plain text", "plain text", true)]
    [InlineData("", "", true)]
    [InlineData("costs $5 {each}", "costs $5 {each}", true)]
    [InlineData("\\${name}", "${name}", true)]
    [InlineData("Hello ${name}!", "Hello Bob!", false)]
    [InlineData("${name}-${amount}-${price}-${flag}-${nothing}", "Bob-150-19.99-true-", false)]
    [InlineData("v${1.0}", "v1.0", false)]
    [InlineData("${customer.tags} ", "[\"a\", \"b\"] ", false)]
    [InlineData(" ${amount}", " 150", false)]
    public void TextAroundExpressionsIsConcatenated(string text, string expected, bool isLiteral)
    {
        var compiled = JuelExpression.Compile(text);

        Assert.Equal(expected, compiled.Evaluate(Variables).GetString());
        Assert.Equal(isLiteral, compiled.IsLiteral);
        Assert.False(compiled.IsSingleExpression);
    }

    [Theory]
    [InlineData("${amount}", JsonValueKind.Number)]
    [InlineData("${42}", JsonValueKind.Number)]
    [InlineData("#{true}", JsonValueKind.True)]
    [InlineData("${'text'}", JsonValueKind.String)]
    [InlineData("${customer}", JsonValueKind.Object)]
    public void ASingleExpressionKeepsItsType(string text, JsonValueKind kind)
    {
        var compiled = JuelExpression.Compile(text);

        Assert.True(compiled.IsSingleExpression);
        Assert.False(compiled.IsLiteral);
        Assert.Equal(kind, compiled.Evaluate(Variables).ValueKind);
    }

    [Fact]
    public void AnUnknownVariableFailsLikeCamunda()
    {
        var exception = Assert.Throws<JuelEvaluationException>(() => Condition("${missing > 1}"));

        Assert.Equal("Unknown property used in expression: ${missing > 1}. Cause: Cannot resolve identifier 'missing'", exception.Message);
        Assert.Equal("${missing > 1}", exception.Expression);
    }

    [Theory]
    [InlineData("${nothing.b}", "Cannot resolve property 'b' of null")]
    [InlineData("${customer.missing.city}", "Cannot resolve property 'city' of null")]
    [InlineData("${nothing[0]}", "Cannot resolve property '0' of null")]
    [InlineData("${name.length}", "Cannot resolve property 'length' of the string 'Bob'")]
    [InlineData("${amount.value}", "Cannot resolve property 'value' of the number 150")]
    [InlineData("${items.name}", "Cannot resolve property 'name' of an array")]
    [InlineData("${text + 1}", "Cannot coerce the string 'abc' to a number; + adds numbers")]
    [InlineData("${'Hello ' + name}", "Cannot coerce the string 'Hello ' to a number")]
    [InlineData("${text * 2}", "Cannot coerce the string 'abc' to a number")]
    [InlineData("${flag + 1}", "Cannot coerce the boolean true to a number")]
    [InlineData("${customer - 1}", "Cannot coerce an object to a number")]
    [InlineData("${-text}", "Cannot coerce the string 'abc' to a number")]
    [InlineData("${-flag}", "Cannot negate the boolean true")]
    [InlineData("${1 % 0}", "Division by zero")]
    [InlineData("${1 / 0}", "the result Infinity is not a finite number")]
    [InlineData("${text == 1}", "Cannot coerce the string 'abc' to a number")]
    [InlineData("${customer < 1}", "Cannot compare an object with the number 1")]
    [InlineData("${amount && flag}", "Cannot coerce the number 150 to a boolean")]
    [InlineData("${!customer}", "Cannot coerce an object to a boolean")]
    [InlineData("${customer ? 1 : 2}", "Cannot coerce an object to a boolean")]
    public void TypeErrorsSayWhatFailed(string text, string cause)
    {
        var exception = Assert.Throws<JuelEvaluationException>(() => Evaluate(text));

        Assert.StartsWith($"Error while evaluating expression: {text}. Cause: {cause}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DivisionByZeroIsInfinityInsideACondition() => Assert.True(Condition("${1 / 0 > amount}"));

    [Theory]
    [InlineData("${amount}", "the number 150")]
    [InlineData("${name}", "the string 'Bob'")]
    [InlineData("${'true'}", "the string 'true'")]
    [InlineData("${nothing}", "null")]
    [InlineData("${customer}", "an object")]
    [InlineData("flag", "the string 'flag'")]
    public void AConditionMustBeBoolean(string text, string described)
    {
        var exception = Assert.Throws<JuelEvaluationException>(() => Condition(text));

        Assert.StartsWith($"Condition expression {text} returned {described}, not a boolean", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("${a +}", 5, "expected an operand, found '}'")]
    [InlineData("${}", 2, "expected an operand, found '}'")]
    [InlineData("${a", 3, "expected '}' to close the expression, found end of expression")]
    [InlineData("${a b}", 4, "expected '}' to close the expression, found 'b'")]
    [InlineData("x ${(a}", 6, "expected ')', found '}'")]
    [InlineData("${a[1}", 5, "expected ']', found '}'")]
    [InlineData("${a ? b}", 7, "expected ':' of the ternary a ? b : c, found '}'")]
    [InlineData("${a.}", 4, "expected a property name after '.', found '}'")]
    [InlineData("${a.1}", 3, "expected '}' to close the expression, found '.1'")]
    [InlineData("${'abc}", 2, "the string starting here has no closing '")]
    [InlineData("${'a\\nb'}", 4, "invalid escape in string")]
    [InlineData("${a = 1}", 4, "unexpected '='; compare with '=='")]
    [InlineData("${a & b}", 4, "unexpected '&'; the logical and is '&&' or 'and'")]
    [InlineData("${a | b}", 4, "unexpected '|'; the logical or is '||' or 'or'")]
    [InlineData("${a ; b}", 4, "unexpected character ';'")]
    [InlineData("${a instanceof b}", 4, "'instanceof' is reserved")]
    [InlineData("${execution.getVariable('x')}", 12, "calling 'getVariable(...)' is not supported")]
    [InlineData("${now()}", 2, "calling 'now(...)' is not supported")]
    [InlineData("${(a)(1)}", 5, "method and function calls are not supported")]
    [InlineData("${99999999999999999999}", 2, "the integer 99999999999999999999 is too large")]
    [InlineData("${1e999}", 2, "the number 1e999 is too large")]
    [InlineData("${a == }", 7, "expected an operand, found '}'")]
    [InlineData("${* 2}", 2, "unexpected '*'; expected an operand")]
    [InlineData("ok ${a} then ${b +}", 18, "expected an operand, found '}'")]
    public void SyntaxErrorsNameThePosition(string text, int position, string detail)
    {
        var exception = Assert.Throws<JuelSyntaxException>(() => JuelExpression.Compile(text));

        Assert.Equal(position, exception.Position);
        Assert.Equal(text, exception.Expression);
        Assert.StartsWith(detail, exception.Detail, StringComparison.Ordinal);
        Assert.StartsWith($"Syntax error in expression {text} at position {position}: {detail}", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1000, "(", "a", ")")]
    [InlineData(1000, "!", "a", "")]
    [InlineData(1000, "-", "a", "")]
    [InlineData(1000, "a[", "0", "]")]
    public void DeeplyNestedExpressionsAreRejectedNotAStackOverflow(int depth, string open, string inner, string close)
    {
        var text = "${" + string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth)) + "}";

        var exception = Assert.Throws<JuelSyntaxException>(() => JuelExpression.Compile(text));

        Assert.Contains("nests more than 200 levels deep", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" + 1")]
    [InlineData(" && true")]
    [InlineData(".a")]
    public void LongOperatorChainsAreRejectedNotAStackOverflow(string repeated)
    {
        var text = "${a" + string.Concat(Enumerable.Repeat(repeated, 10_000)) + "}";

        var exception = Assert.Throws<JuelSyntaxException>(() => JuelExpression.Compile(text));

        Assert.Contains("nests more than 200 levels deep", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModeratelyNestedExpressionsStillWork() =>
        Assert.Equal("100", Evaluate("${" + string.Concat(Enumerable.Repeat("1 + ", 99)) + "1}"));

    [Fact]
    public void ACompiledExpressionCanBeEvaluatedManyTimesWithDifferentVariables()
    {
        var compiled = JuelExpression.Compile("${amount > 100}");

        Assert.True(compiled.EvaluateCondition(Variables));
        Assert.False(compiled.EvaluateCondition(new Dictionary<string, JsonElement> { ["amount"] = JsonDocument.Parse("5").RootElement }));
    }

    [Fact]
    public void TheResultOutlivesTheVariablesDocument()
    {
        JsonElement result;
        using (var document = JsonDocument.Parse("""{"customer":{"tier":"gold"}}"""))
        {
            result = JuelExpression.Compile("${customer}").Evaluate(new Dictionary<string, JsonElement> { ["customer"] = document.RootElement.GetProperty("customer") });
        }

        Assert.Equal("gold", result.GetProperty("tier").GetString());
    }

    private static void AssertJson(string expected, string text)
    {
        using var document = JsonDocument.Parse(expected);
        var actual = JuelExpression.Compile(text).Evaluate(Variables);
        Assert.True(JsonElement.DeepEquals(document.RootElement, actual), $"{text}: expected {expected}, got {actual.GetRawText()}");
        Assert.Equal(document.RootElement.ValueKind, actual.ValueKind);
    }

    private static string Evaluate(string text) => JuelExpression.Compile(text).Evaluate(Variables).GetRawText();

    private static bool Condition(string text) => JuelExpression.Compile(text).EvaluateCondition(Variables);
}
