namespace TaskService.Gateway.Ui;

/// <summary>One element as the diagram draws it.</summary>
public sealed record DiagramShape(string ElementId, DiagramShapeKind Kind, string Tag, string? Name, double X, double Y, double Width, double Height, bool IsEnd)
{
    public double CenterX => X + Width / 2;

    public double CenterY => Y + Height / 2;

    /// <summary>The diamond of a gateway as SVG polygon points.</summary>
    public string DiamondPoints => FormattableString.Invariant($"{CenterX},{Y} {X + Width},{CenterY} {CenterX},{Y + Height} {X},{CenterY}");
}
