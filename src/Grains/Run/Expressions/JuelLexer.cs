using System.Globalization;
using System.Text;

namespace TaskService.Workflows.Expressions;

/// <summary>Splits the inside of one <c>${...}</c> into tokens, on demand, with positions in the whole text.</summary>
internal sealed class JuelLexer(string text, int start)
{
    private static readonly Dictionary<string, JuelTokenKind> Keywords = new(StringComparer.Ordinal)
    {
        ["true"] = JuelTokenKind.True,
        ["false"] = JuelTokenKind.False,
        ["null"] = JuelTokenKind.Null,
        ["empty"] = JuelTokenKind.Empty,
        ["not"] = JuelTokenKind.Not,
        ["and"] = JuelTokenKind.And,
        ["or"] = JuelTokenKind.Or,
        ["div"] = JuelTokenKind.Div,
        ["mod"] = JuelTokenKind.Mod,
        ["eq"] = JuelTokenKind.Eq,
        ["ne"] = JuelTokenKind.Ne,
        ["lt"] = JuelTokenKind.Lt,
        ["gt"] = JuelTokenKind.Gt,
        ["le"] = JuelTokenKind.Le,
        ["ge"] = JuelTokenKind.Ge,
        ["instanceof"] = JuelTokenKind.Instanceof,
    };

    private readonly string _text = text;
    private int _position = start;

    /// <summary>Where the next token would start scanning: after the closing brace once it was returned.</summary>
    public int Position => _position;

    /// <summary>The first text that is not a token; from then on the lexer only gives the end.</summary>
    public JuelSyntaxError? Error { get; private set; }

    public JuelToken Next()
    {
        if (Error is not null)
        {
            return End();
        }

        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\r' or '\n')
        {
            _position++;
        }

        if (_position >= _text.Length)
        {
            return End();
        }

        var start = _position;
        var c = _text[start];
        if (char.IsAsciiDigit(c) || (c == '.' && start + 1 < _text.Length && char.IsAsciiDigit(_text[start + 1])))
        {
            return Number(start);
        }

        if (c is '\'' or '"')
        {
            return String(start, c);
        }

        if (char.IsLetter(c) || c is '_' or '$')
        {
            while (_position < _text.Length && (char.IsLetterOrDigit(_text[_position]) || _text[_position] is '_' or '$'))
            {
                _position++;
            }

            var word = _text[start.._position];
            return Keywords.TryGetValue(word, out var keyword)
                ? new JuelToken(keyword, start, word)
                : new JuelToken(JuelTokenKind.Identifier, start, word);
        }

        var next = start + 1 < _text.Length ? _text[start + 1] : '\0';
        var (kind, length) = (c, next) switch
        {
            ('=', '=') => (JuelTokenKind.EqualEqual, 2),
            ('!', '=') => (JuelTokenKind.BangEqual, 2),
            ('<', '=') => (JuelTokenKind.LessEqual, 2),
            ('>', '=') => (JuelTokenKind.GreaterEqual, 2),
            ('&', '&') => (JuelTokenKind.AmpAmp, 2),
            ('|', '|') => (JuelTokenKind.PipePipe, 2),
            ('+', _) => (JuelTokenKind.Plus, 1),
            ('-', _) => (JuelTokenKind.Minus, 1),
            ('*', _) => (JuelTokenKind.Star, 1),
            ('/', _) => (JuelTokenKind.Slash, 1),
            ('%', _) => (JuelTokenKind.Percent, 1),
            ('!', _) => (JuelTokenKind.Bang, 1),
            ('<', _) => (JuelTokenKind.Less, 1),
            ('>', _) => (JuelTokenKind.Greater, 1),
            ('?', _) => (JuelTokenKind.Question, 1),
            (':', _) => (JuelTokenKind.Colon, 1),
            ('(', _) => (JuelTokenKind.LeftParen, 1),
            (')', _) => (JuelTokenKind.RightParen, 1),
            ('[', _) => (JuelTokenKind.LeftBracket, 1),
            (']', _) => (JuelTokenKind.RightBracket, 1),
            ('.', _) => (JuelTokenKind.Dot, 1),
            (',', _) => (JuelTokenKind.Comma, 1),
            ('}', _) => (JuelTokenKind.RightBrace, 1),
            _ => (JuelTokenKind.End, 0),
        };
        if (kind == JuelTokenKind.End)
        {
            return Fail(start, UnexpectedCharacter(c));
        }

        _position += length;
        return new JuelToken(kind, start, _text.Substring(start, length));
    }

    private static string UnexpectedCharacter(char c) => c switch
    {
        '=' => "unexpected '='; compare with '==' (assignment is not supported)",
        '&' => "unexpected '&'; the logical and is '&&' or 'and'",
        '|' => "unexpected '|'; the logical or is '||' or 'or'",
        _ => $"unexpected character '{c}'",
    };

    private JuelToken Number(int start)
    {
        var isDecimal = false;
        SkipDigits();
        if (_position < _text.Length && _text[_position] == '.')
        {
            isDecimal = true;
            _position++;
            SkipDigits();
        }

        if (_position < _text.Length && _text[_position] is 'e' or 'E')
        {
            var exponent = _position + 1;
            if (exponent < _text.Length && _text[exponent] is '+' or '-')
            {
                exponent++;
            }

            if (exponent < _text.Length && char.IsAsciiDigit(_text[exponent]))
            {
                isDecimal = true;
                _position = exponent;
                SkipDigits();
            }
        }

        var literal = _text[start.._position];
        if (isDecimal)
        {
            var value = double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture);
            return double.IsFinite(value)
                ? new JuelToken(JuelTokenKind.Decimal, start, literal, value)
                : Fail(start, $"the number {literal} is too large");
        }

        return long.TryParse(literal, NumberStyles.None, CultureInfo.InvariantCulture, out var integer)
            ? new JuelToken(JuelTokenKind.Integer, start, literal, integer)
            : Fail(start, $"the integer {literal} is too large; the largest is {long.MaxValue}");
    }

    private void SkipDigits()
    {
        while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
        {
            _position++;
        }
    }

    private JuelToken String(int start, char quote)
    {
        var builder = new StringBuilder();
        _position++;
        while (true)
        {
            if (_position >= _text.Length)
            {
                return Fail(start, $"the string starting here has no closing {quote}");
            }

            var c = _text[_position];
            if (c == quote)
            {
                _position++;
                return new JuelToken(JuelTokenKind.String, start, _text[start.._position], builder.ToString());
            }

            if (c == '\\')
            {
                var escaped = _position + 1 < _text.Length ? _text[_position + 1] : '\0';
                if (escaped is not ('\\' or '\'' or '"'))
                {
                    return Fail(_position, "invalid escape in string; only \\\\, \\' and \\\" are allowed");
                }

                builder.Append(escaped);
                _position += 2;
                continue;
            }

            builder.Append(c);
            _position++;
        }
    }

    private JuelToken End() => new(JuelTokenKind.End, _text.Length, string.Empty);

    /// <summary>Keeps the first error and ends the token stream, so the parser stops where the text stopped being JUEL.</summary>
    private JuelToken Fail(int position, string detail)
    {
        Error ??= new JuelSyntaxError(_text, position, detail);
        _position = _text.Length;
        return End();
    }
}
