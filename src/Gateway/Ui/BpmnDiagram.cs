using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace TaskService.Gateway.Ui;

/// <summary>
/// The drawing of a BPMN file, read from its diagram interchange: each <c>BPMNShape</c>'s bounds and each <c>BPMNEdge</c>'s
/// waypoints, with the kind and name of the element it shows. A file without a diagram section gives an empty drawing.
/// </summary>
public sealed class BpmnDiagram
{
    private const string ModelNs = "http://www.omg.org/spec/BPMN/20100524/MODEL";
    private const string DiNs = "http://www.omg.org/spec/BPMN/20100524/DI";
    private const string DcNs = "http://www.omg.org/spec/DD/20100524/DC";
    private const string DiWaypointNs = "http://www.omg.org/spec/DD/20100524/DI";

    public IReadOnlyList<DiagramShape> Shapes { get; private init; } = [];

    public IReadOnlyList<DiagramEdge> Edges { get; private init; } = [];

    /// <summary>The drawing's extent, with a margin, for the SVG view box.</summary>
    public (double X, double Y, double Width, double Height) ViewBox { get; private init; }

    public static BpmnDiagram Parse(string bpmn)
    {
        XDocument document;
        try
        {
            // No DTDs and no external entities: the file came from a user.
            using var reader = XmlReader.Create(new StringReader(bpmn), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            document = XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return new BpmnDiagram();
        }

        var elements = document.Descendants()
            .Where(e => e.Name.NamespaceName == ModelNs && e.Attribute("id") is not null)
            .GroupBy(e => (string)e.Attribute("id")!)
            .ToDictionary(g => g.Key, g => g.First());
        var shapes = document.Descendants(XName.Get("BPMNShape", DiNs))
            .Select(shape => ReadShape(shape, elements))
            .OfType<DiagramShape>()
            .ToArray();
        var edges = document.Descendants(XName.Get("BPMNEdge", DiNs))
            .Select(edge => new DiagramEdge(
                (string?)edge.Attribute("bpmnElement") ?? string.Empty,
                edge.Elements(XName.Get("waypoint", DiWaypointNs)).Select(w => (Number(w, "x"), Number(w, "y"))).ToArray()))
            .Where(e => e.Points.Count >= 2)
            .ToArray();
        if (shapes.Length == 0)
        {
            return new BpmnDiagram();
        }

        var xs = shapes.SelectMany(s => new[] { s.X, s.X + s.Width }).Concat(edges.SelectMany(e => e.Points.Select(p => p.X))).ToArray();
        var ys = shapes.SelectMany(s => new[] { s.Y, s.Y + s.Height + 20 }).Concat(edges.SelectMany(e => e.Points.Select(p => p.Y))).ToArray();
        const double margin = 20;
        return new BpmnDiagram
        {
            Shapes = shapes,
            Edges = edges,
            ViewBox = (xs.Min() - margin, ys.Min() - margin, xs.Max() - xs.Min() + 2 * margin, ys.Max() - ys.Min() + 2 * margin),
        };
    }

    private static DiagramShape? ReadShape(XElement shape, Dictionary<string, XElement> elements)
    {
        var bounds = shape.Element(XName.Get("Bounds", DcNs));
        var id = (string?)shape.Attribute("bpmnElement");
        if (bounds is null || id is null)
        {
            return null;
        }

        elements.TryGetValue(id, out var element);
        var tag = element?.Name.LocalName ?? string.Empty;
        var kind = tag switch
        {
            _ when tag.EndsWith("Event", StringComparison.Ordinal) => DiagramShapeKind.Event,
            _ when tag.EndsWith("Gateway", StringComparison.Ordinal) => DiagramShapeKind.Gateway,
            _ when tag.EndsWith("Task", StringComparison.Ordinal) || tag is "subProcess" or "callActivity" => DiagramShapeKind.Task,
            "participant" or "lane" => DiagramShapeKind.Container,
            _ => DiagramShapeKind.Other,
        };
        return new DiagramShape(id, kind, tag, (string?)element?.Attribute("name"),
            Number(bounds, "x"), Number(bounds, "y"), Number(bounds, "width"), Number(bounds, "height"),
            tag == "endEvent");
    }

    private static double Number(XElement element, string attribute) =>
        double.TryParse((string?)element.Attribute(attribute), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : 0;
}
