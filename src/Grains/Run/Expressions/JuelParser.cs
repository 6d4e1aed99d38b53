using System.Text;

namespace TaskService.Workflows.Expressions;

/// <summary>
/// Recursive-descent parser for the EL 2.2 expression grammar, lowest precedence first:
/// <c>?:</c>, <c>|| or</c>, <c>&amp;&amp; and</c>, <c>== != eq ne</c>, <c>&lt; &gt; &lt;= &gt;= lt gt le ge</c>, <c>+ -</c>,
/// <c>* / div % mod</c>, unary <c>- ! not empty</c>, then <c>a.b</c> and <c>a[b]</c>. Method and function calls, lambdas,
/// assignments and collection literals (EL 3) are rejected.
/// </summary>
internal sealed class JuelParser
{
    /// <summary>Deepest expression tree accepted: keeps parsing and evaluation far from a stack overflow on hostile input.</summary>
    internal const int MaxDepth = 200;

    private readonly string _text;
    private readonly JuelLexer _lexer;
    private JuelToken _current;
    private int _nesting;

    /// <summary>The first syntax error, the lexer's or the parser's; once there is one, the parser sees only the end.</summary>
    private JuelSyntaxError? _error;

    private JuelParser(string text, int start)
    {
        _text = text;
        _lexer = new JuelLexer(text, start);
        Advance();
    }

    /// <summary>Compiles <paramref name="text"/>, or gives null and the first syntax error in <paramref name="error"/>.</summary>
    public static JuelCompiled? Parse(string text, out JuelSyntaxError? error)
    {
        error = null;
        var parts = new List<JuelNode>();
        var expressions = 0;
        var literal = new StringBuilder();
        var literalStart = 0;
        var index = 0;
        while (index < text.Length)
        {
            var c = text[index];
            if (c == '\\' && index + 2 < text.Length && text[index + 1] is '$' or '#' && text[index + 2] == '{')
            {
                literal.Append(text[index + 1]).Append('{');
                index += 3;
                continue;
            }

            if (c is '$' or '#' && index + 1 < text.Length && text[index + 1] == '{')
            {
                if (literal.Length > 0)
                {
                    parts.Add(new JuelLiteralNode(literalStart, literal.ToString()));
                    literal.Clear();
                }

                var parser = new JuelParser(text, index + 2);
                var node = parser.ParseExpression();
                parser.Expect(JuelTokenKind.RightBrace, "'}' to close the expression");
                if (parser._error is not null)
                {
                    error = parser._error;
                    return null;
                }

                parts.Add(node);
                expressions++;
                index = parser._lexer.Position;
                literalStart = index;
                continue;
            }

            literal.Append(c);
            index++;
        }

        if (literal.Length > 0 || parts.Count == 0)
        {
            parts.Add(new JuelLiteralNode(literalStart, literal.ToString()));
        }

        var root = parts.Count == 1 ? parts[0] : new JuelCompositeNode(parts);
        return new JuelCompiled(text, root, isLiteral: expressions == 0, isSingleExpression: expressions == 1 && parts.Count == 1);
    }

    private JuelNode ParseExpression()
    {
        if (++_nesting > MaxDepth)
        {
            return Error(_current.Position, $"the expression nests more than {MaxDepth} levels deep");
        }

        var condition = ParseOr();
        JuelNode result = condition;
        if (_current.Kind == JuelTokenKind.Question)
        {
            Advance();
            var whenTrue = ParseExpression();
            Expect(JuelTokenKind.Colon, "':' of the ternary a ? b : c");
            var whenFalse = ParseExpression();
            result = Checked(new JuelConditionalNode(condition.Position, condition, whenTrue, whenFalse));
        }

        _nesting--;
        return result;
    }

    private JuelNode ParseOr()
    {
        var left = ParseAnd();
        while (_current.Kind is JuelTokenKind.PipePipe or JuelTokenKind.Or)
        {
            Advance();
            left = Checked(new JuelBinaryNode(left.Position, JuelBinaryOperator.Or, left, ParseAnd()));
        }

        return left;
    }

    private JuelNode ParseAnd()
    {
        var left = ParseEquality();
        while (_current.Kind is JuelTokenKind.AmpAmp or JuelTokenKind.And)
        {
            Advance();
            left = Checked(new JuelBinaryNode(left.Position, JuelBinaryOperator.And, left, ParseEquality()));
        }

        return left;
    }

    private JuelNode ParseEquality()
    {
        var left = ParseRelational();
        while (true)
        {
            JuelBinaryOperator op;
            switch (_current.Kind)
            {
                case JuelTokenKind.EqualEqual or JuelTokenKind.Eq:
                    op = JuelBinaryOperator.Equal;
                    break;
                case JuelTokenKind.BangEqual or JuelTokenKind.Ne:
                    op = JuelBinaryOperator.NotEqual;
                    break;
                default:
                    return left;
            }

            Advance();
            left = Checked(new JuelBinaryNode(left.Position, op, left, ParseRelational()));
        }
    }

    private JuelNode ParseRelational()
    {
        var left = ParseAdditive();
        while (true)
        {
            JuelBinaryOperator op;
            switch (_current.Kind)
            {
                case JuelTokenKind.Less or JuelTokenKind.Lt:
                    op = JuelBinaryOperator.Less;
                    break;
                case JuelTokenKind.Greater or JuelTokenKind.Gt:
                    op = JuelBinaryOperator.Greater;
                    break;
                case JuelTokenKind.LessEqual or JuelTokenKind.Le:
                    op = JuelBinaryOperator.LessEqual;
                    break;
                case JuelTokenKind.GreaterEqual or JuelTokenKind.Ge:
                    op = JuelBinaryOperator.GreaterEqual;
                    break;
                case JuelTokenKind.Instanceof:
                    return Error(_current.Position, "'instanceof' is reserved and not supported");
                default:
                    return left;
            }

            Advance();
            left = Checked(new JuelBinaryNode(left.Position, op, left, ParseAdditive()));
        }
    }

    private JuelNode ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (_current.Kind is JuelTokenKind.Plus or JuelTokenKind.Minus)
        {
            var op = _current.Kind == JuelTokenKind.Plus ? JuelBinaryOperator.Add : JuelBinaryOperator.Subtract;
            Advance();
            left = Checked(new JuelBinaryNode(left.Position, op, left, ParseMultiplicative()));
        }

        return left;
    }

    private JuelNode ParseMultiplicative()
    {
        var left = ParseUnary();
        while (true)
        {
            JuelBinaryOperator op;
            switch (_current.Kind)
            {
                case JuelTokenKind.Star:
                    op = JuelBinaryOperator.Multiply;
                    break;
                case JuelTokenKind.Slash or JuelTokenKind.Div:
                    op = JuelBinaryOperator.Divide;
                    break;
                case JuelTokenKind.Percent or JuelTokenKind.Mod:
                    op = JuelBinaryOperator.Modulo;
                    break;
                default:
                    return left;
            }

            Advance();
            left = Checked(new JuelBinaryNode(left.Position, op, left, ParseUnary()));
        }
    }

    private JuelNode ParseUnary()
    {
        JuelUnaryOperator op;
        switch (_current.Kind)
        {
            case JuelTokenKind.Minus:
                op = JuelUnaryOperator.Negate;
                break;
            case JuelTokenKind.Bang or JuelTokenKind.Not:
                op = JuelUnaryOperator.Not;
                break;
            case JuelTokenKind.Empty:
                op = JuelUnaryOperator.Empty;
                break;
            default:
                return ParseValue();
        }

        var position = _current.Position;
        if (++_nesting > MaxDepth)
        {
            return Error(position, $"the expression nests more than {MaxDepth} levels deep");
        }

        Advance();
        var operand = ParseUnary();
        _nesting--;
        return Checked(new JuelUnaryNode(position, op, operand));
    }

    private JuelNode ParseValue()
    {
        var node = ParsePrimary();
        while (true)
        {
            switch (_current.Kind)
            {
                case JuelTokenKind.Dot:
                    Advance();
                    if (_current.Kind is JuelTokenKind.Identifier || IsKeyword(_current.Kind))
                    {
                        var name = _current;
                        Advance();
                        RejectCall(name);
                        node = Checked(new JuelPropertyNode(node.Position, node, name.Text, null));
                        break;
                    }

                    return Error(_current.Position, $"expected a property name after '.', found {_current.Describe()}");
                case JuelTokenKind.LeftBracket:
                    Advance();
                    var key = ParseExpression();
                    Expect(JuelTokenKind.RightBracket, "']'");
                    node = Checked(new JuelPropertyNode(node.Position, node, null, key));
                    break;
                case JuelTokenKind.LeftParen:
                    return Error(_current.Position, "method and function calls are not supported by the embedded engine; use variables and operators");
                default:
                    return node;
            }
        }
    }

    private JuelNode ParsePrimary()
    {
        var token = _current;
        switch (token.Kind)
        {
            case JuelTokenKind.Integer or JuelTokenKind.Decimal or JuelTokenKind.String:
                Advance();
                return new JuelLiteralNode(token.Position, token.Value);
            case JuelTokenKind.True:
                Advance();
                return new JuelLiteralNode(token.Position, true);
            case JuelTokenKind.False:
                Advance();
                return new JuelLiteralNode(token.Position, false);
            case JuelTokenKind.Null:
                Advance();
                return new JuelLiteralNode(token.Position, null);
            case JuelTokenKind.Identifier:
                Advance();
                RejectCall(token);
                return new JuelIdentifierNode(token.Position, token.Text);
            case JuelTokenKind.LeftParen:
                Advance();
                var inner = ParseExpression();
                Expect(JuelTokenKind.RightParen, "')'");
                return inner;
            case JuelTokenKind.End or JuelTokenKind.RightBrace or JuelTokenKind.RightParen or JuelTokenKind.RightBracket:
                return Error(token.Position, $"expected an operand, found {token.Describe()}");
            default:
                return Error(token.Position, $"unexpected {token.Describe()}; expected an operand (a value, a variable or '(')");
        }
    }

    private void RejectCall(JuelToken name)
    {
        if (_current.Kind == JuelTokenKind.LeftParen)
        {
            Error(name.Position, $"calling '{name.Text}(...)' is not supported: method and function calls are not supported by the embedded engine; use variables and operators");
        }
    }

    private static bool IsKeyword(JuelTokenKind kind) => kind is >= JuelTokenKind.True and <= JuelTokenKind.Instanceof;

    private void Advance()
    {
        _current = _error is null ? _lexer.Next() : new JuelToken(JuelTokenKind.End, _text.Length, string.Empty);
        _error ??= _lexer.Error;
    }

    private void Expect(JuelTokenKind kind, string what)
    {
        if (_current.Kind != kind)
        {
            Error(_current.Position, $"expected {what}, found {_current.Describe()}");
            return;
        }

        if (kind != JuelTokenKind.RightBrace)
        {
            Advance();
        }
    }

    private JuelNode Checked(JuelNode node) =>
        node.Depth > MaxDepth ? Error(node.Position, $"the expression nests more than {MaxDepth} levels deep") : node;

    /// <summary>
    /// Keeps the first error and makes the rest of the text look ended, so every loop of the descent stops at once; the node
    /// given back stands in for what could not be parsed and is never used.
    /// </summary>
    private JuelNode Error(int position, string detail)
    {
        _error ??= new JuelSyntaxError(_text, position, detail);
        _current = new JuelToken(JuelTokenKind.End, _text.Length, string.Empty);
        return new JuelLiteralNode(position, null);
    }
}
