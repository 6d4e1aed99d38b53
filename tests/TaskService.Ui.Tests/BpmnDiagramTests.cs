using TaskService.Gateway.Ui;

namespace TaskService.Ui.Tests;

/// <summary>Reading the diagram interchange of a BPMN file into shapes and edges.</summary>
public sealed class BpmnDiagramTests
{
    [Fact]
    public void ShapesAndEdgesComeFromTheDiagramInterchangeWithTheirElementsKinds()
    {
        var diagram = BpmnDiagram.Parse(UiBpmn.Review("p", "g"));

        Assert.Equal(["StartEvent_1", "CheckInvoice", "Gateway_1", "FileInvoice", "EndEvent_1"], diagram.Shapes.Select(s => s.ElementId));
        Assert.Equal(
            [DiagramShapeKind.Event, DiagramShapeKind.Task, DiagramShapeKind.Gateway, DiagramShapeKind.Task, DiagramShapeKind.Event],
            diagram.Shapes.Select(s => s.Kind));
        Assert.Equal("Check the invoice", diagram.Shapes[1].Name);
        Assert.True(diagram.Shapes[4].IsEnd);
        Assert.Equal((240d, 80d, 100d, 80d), (diagram.Shapes[1].X, diagram.Shapes[1].Y, diagram.Shapes[1].Width, diagram.Shapes[1].Height));
        Assert.Equal("420,95 445,120 420,145 395,120", diagram.Shapes[2].DiamondPoints);
        Assert.Equal(4, diagram.Edges.Count);
        Assert.Equal("188,120 240,120", diagram.Edges[0].PolylinePoints);
        Assert.True(diagram.ViewBox.X < 152 && diagram.ViewBox.Width > 688 - 152);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not xml")]
    [InlineData("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>")]
    [InlineData("<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><bpmn:process id=\"p\" /></bpmn:definitions>")]
    public void AFileWithoutADiagramOrNotXmlGivesAnEmptyDrawing(string bpmn)
    {
        var diagram = BpmnDiagram.Parse(bpmn);
        Assert.Empty(diagram.Shapes);
        Assert.Empty(diagram.Edges);
    }
}
