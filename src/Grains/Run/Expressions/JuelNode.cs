using System.Text;

namespace TaskService.Workflows.Expressions;

/// <summary>
/// A node of a compiled expression. Values are <see langword="null"/>, <see cref="bool"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="string"/> or a <see cref="System.Text.Json.JsonElement"/> object or array (see <see cref="JuelValues"/>).
/// </summary>
internal abstract class JuelNode(int position)
{
    /// <summary>Offset of the node's first character in the whole text.</summary>
    public int Position { get; } = position;

    /// <summary>Height of the tree under this node; the parser caps it so evaluation cannot overflow the stack.</summary>
    public abstract int Depth { get; }

    public abstract object? Evaluate(JuelContext context);
}

internal sealed class JuelLiteralNode(int position, object? value) : JuelNode(position)
{
    public override int Depth => 1;

    public override object? Evaluate(JuelContext context) => value;
}

internal sealed class JuelIdentifierNode(int position, string name) : JuelNode(position)
{
    public override int Depth => 1;

    public override object? Evaluate(JuelContext context) =>
        context.Variables.TryGetValue(name, out var value) ? JuelValues.FromJson(value, context) : throw context.UnknownIdentifier(name);
}

/// <summary><c>a.b</c> (<paramref name="name"/> fixed) or <c>a[expr]</c> (<paramref name="key"/> evaluated).</summary>
internal sealed class JuelPropertyNode(int position, JuelNode target, string? name, JuelNode? key) : JuelNode(position)
{
    public override int Depth { get; } = 1 + Math.Max(target.Depth, key?.Depth ?? 0);

    public override object? Evaluate(JuelContext context)
    {
        var container = target.Evaluate(context);
        var property = key is null ? name : key.Evaluate(context);
        return JuelValues.GetProperty(container, property, context);
    }
}

internal sealed class JuelUnaryNode(int position, JuelUnaryOperator op, JuelNode operand) : JuelNode(position)
{
    public override int Depth { get; } = 1 + operand.Depth;

    public override object? Evaluate(JuelContext context)
    {
        var value = operand.Evaluate(context);
        return op switch
        {
            JuelUnaryOperator.Negate => JuelValues.Negate(value, context),
            JuelUnaryOperator.Not => !JuelValues.ToBoolean(value, context),
            _ => JuelValues.IsEmpty(value),
        };
    }
}

internal sealed class JuelBinaryNode(int position, JuelBinaryOperator op, JuelNode left, JuelNode right) : JuelNode(position)
{
    public override int Depth { get; } = 1 + Math.Max(left.Depth, right.Depth);

    public override object? Evaluate(JuelContext context)
    {
        switch (op)
        {
            case JuelBinaryOperator.And:
                return JuelValues.ToBoolean(left.Evaluate(context), context) && JuelValues.ToBoolean(right.Evaluate(context), context);
            case JuelBinaryOperator.Or:
                return JuelValues.ToBoolean(left.Evaluate(context), context) || JuelValues.ToBoolean(right.Evaluate(context), context);
        }

        var a = left.Evaluate(context);
        var b = right.Evaluate(context);
        return op switch
        {
            JuelBinaryOperator.Equal => JuelValues.AreEqual(a, b, context),
            JuelBinaryOperator.NotEqual => !JuelValues.AreEqual(a, b, context),
            JuelBinaryOperator.Less or JuelBinaryOperator.Greater or JuelBinaryOperator.LessEqual or JuelBinaryOperator.GreaterEqual =>
                JuelValues.Compare(op, a, b, context),
            _ => JuelValues.Arithmetic(op, a, b, context),
        };
    }
}

internal sealed class JuelConditionalNode(int position, JuelNode condition, JuelNode whenTrue, JuelNode whenFalse) : JuelNode(position)
{
    public override int Depth { get; } = 1 + Math.Max(condition.Depth, Math.Max(whenTrue.Depth, whenFalse.Depth));

    public override object? Evaluate(JuelContext context) =>
        JuelValues.ToBoolean(condition.Evaluate(context), context) ? whenTrue.Evaluate(context) : whenFalse.Evaluate(context);
}

/// <summary>Text with expressions in it (<c>Hello ${name}!</c>): the parts' values coerced to strings and joined.</summary>
internal sealed class JuelCompositeNode(IReadOnlyList<JuelNode> parts) : JuelNode(0)
{
    public override int Depth { get; } = 1 + parts.Max(p => p.Depth);

    public override object? Evaluate(JuelContext context)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            builder.Append(JuelValues.ToText(part.Evaluate(context)));
        }

        return builder.ToString();
    }
}
