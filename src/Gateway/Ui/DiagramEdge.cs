using System.Globalization;

namespace TaskService.Gateway.Ui;

/// <summary>One sequence flow (or association) as the diagram draws it: its waypoints in order.</summary>
public sealed record DiagramEdge(string ElementId, IReadOnlyList<(double X, double Y)> Points)
{
    /// <summary>The waypoints as SVG polyline points.</summary>
    public string PolylinePoints => string.Join(' ', Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X},{p.Y}")));
}
