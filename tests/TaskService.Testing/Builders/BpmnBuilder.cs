using System.Globalization;
using System.Xml.Linq;
using TaskService.Tasks;

namespace TaskService.Testing;

/// <summary>
/// Writes a BPMN file of one straight path, in the shape Camunda Modeler writes it: a start event, the steps in the order given
/// (external service tasks, user tasks with their forms, exclusive gateways), an end event, the sequence flows between them
/// (<c>Flow_1</c>, <c>Flow_2</c>, ...) and, when asked, a diagram with the shapes laid out left to right.
/// <code>
/// BpmnBuilder.Process(id).ServiceTask("CreateTasks", "create-tasks", "Create tasks").Build()
/// </code>
/// A test about the exact XML (a parser's edge cases, a malformed file) keeps its BPMN written out instead.
/// </summary>
public sealed class BpmnBuilder
{
    private static readonly XNamespace Model = "http://www.omg.org/spec/BPMN/20100524/MODEL";
    private static readonly XNamespace Camunda = "http://camunda.org/schema/1.0/bpmn";
    private static readonly XNamespace BpmnDi = "http://www.omg.org/spec/BPMN/20100524/DI";
    private static readonly XNamespace Dc = "http://www.omg.org/spec/DD/20100524/DC";
    private static readonly XNamespace Di = "http://www.omg.org/spec/DD/20100524/DI";
    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    private readonly string _processId;
    private readonly List<Step> _steps = [];
    private Step _start = new(StepKind.Start, "start", null);
    private Step _end = new(StepKind.End, "end", null);
    private bool _diagram;

    private BpmnBuilder(string processId) => _processId = processId;

    /// <summary>The form of a user task that asks for an amount (a required whole number of at most 500) and a decision (approve or reject).</summary>
    public static IReadOnlyList<FormField> AmountAndDecisionForm { get; } =
    [
        new FormField { Id = "amount", Label = "Amount", Type = "long", Required = true, Max = 500 },
        new FormField { Id = "decision", Label = "Decision", Type = "enum", Values = ["approve", "reject"], Required = true },
    ];

    /// <summary>
    /// A BPMN file of one executable process with this id whose elements are written out (with the <c>bpmn</c>, <c>camunda</c> and
    /// <c>xsi</c> prefixes), for a process the builder does not write: branches, a fork and join, an element the engine refuses.
    /// </summary>
    public static string ProcessOf(string processId, string elements) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="{Model.NamespaceName}" xmlns:camunda="{Camunda.NamespaceName}" xmlns:xsi="{Xsi.NamespaceName}" id="Definitions_{processId}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.20.0">
          <bpmn:process id="{processId}" isExecutable="true">
        {elements}
          </bpmn:process>
        </bpmn:definitions>
        """;

    /// <summary>An executable process with this id; with no steps, it runs from start to end.</summary>
    public static BpmnBuilder Process(string processId) => new(processId);

    public BpmnBuilder StartEvent(string id, string? name = null)
    {
        _start = new Step(StepKind.Start, id, name);
        return this;
    }

    public BpmnBuilder EndEvent(string id, string? name = null)
    {
        _end = new Step(StepKind.End, id, name);
        return this;
    }

    /// <summary>An external service task that a worker of <paramref name="topic"/> (a command of the service) runs.</summary>
    public BpmnBuilder ServiceTask(string id, string topic, string? name = null) =>
        Add(new Step(StepKind.ServiceTask, id, name) { Topic = topic });

    /// <summary>A user task, offered to <paramref name="candidateGroups"/> when given, asking for <paramref name="form"/> when given.</summary>
    public BpmnBuilder UserTask(string id, string? name = null, string? candidateGroups = null, IEnumerable<FormField>? form = null) =>
        Add(new Step(StepKind.UserTask, id, name) { CandidateGroups = candidateGroups, Form = form?.ToArray() });

    /// <summary>An exclusive gateway whose one way on carries <paramref name="condition"/> (a JUEL expression) when given.</summary>
    public BpmnBuilder ExclusiveGateway(string id, string? name = null, string? condition = null) =>
        Add(new Step(StepKind.Gateway, id, name) { Condition = condition });

    /// <summary>Adds diagram interchange: the shapes in a row, as the web UI draws them.</summary>
    public BpmnBuilder WithDiagram()
    {
        _diagram = true;
        return this;
    }

    public string Build()
    {
        Step[] chain = [_start, .. _steps, _end];
        var process = new XElement(Model + "process", new XAttribute("id", _processId), new XAttribute("isExecutable", "true"));
        for (var i = 0; i < chain.Length; i++)
        {
            if (i > 0)
            {
                process.Add(Flow(i, chain[i - 1], chain[i]));
            }

            process.Add(Element(chain[i], incoming: i > 0 ? FlowId(i) : null, outgoing: i < chain.Length - 1 ? FlowId(i + 1) : null));
        }

        var definitions = new XElement(
            Model + "definitions",
            new XAttribute(XNamespace.Xmlns + "bpmn", Model),
            new XAttribute(XNamespace.Xmlns + "bpmndi", BpmnDi),
            new XAttribute(XNamespace.Xmlns + "dc", Dc),
            new XAttribute(XNamespace.Xmlns + "di", Di),
            new XAttribute(XNamespace.Xmlns + "camunda", Camunda),
            new XAttribute(XNamespace.Xmlns + "xsi", Xsi),
            new XAttribute("id", $"Definitions_{_processId}"),
            new XAttribute("targetNamespace", "http://bpmn.io/schema/bpmn"),
            process);
        if (_diagram)
        {
            definitions.Add(Diagram(chain));
        }

        return new XDocument(new XDeclaration("1.0", "UTF-8", null), definitions).Declaration + Environment.NewLine + definitions;
    }

    public override string ToString() => Build();

    private static string FlowId(int index) => $"Flow_{index}";

    private BpmnBuilder Add(Step step)
    {
        _steps.Add(step);
        return this;
    }

    private static XElement Flow(int index, Step source, Step target)
    {
        var flow = new XElement(
            Model + "sequenceFlow", new XAttribute("id", FlowId(index)), new XAttribute("sourceRef", source.Id), new XAttribute("targetRef", target.Id));
        if (source.Condition is { } condition)
        {
            flow.Add(new XElement(Model + "conditionExpression", new XAttribute(Xsi + "type", "bpmn:tFormalExpression"), condition));
        }

        return flow;
    }

    private static XElement Element(Step step, string? incoming, string? outgoing)
    {
        var element = new XElement(Model + step.Kind switch
        {
            StepKind.Start => "startEvent",
            StepKind.End => "endEvent",
            StepKind.ServiceTask => "serviceTask",
            StepKind.UserTask => "userTask",
            _ => "exclusiveGateway",
        });
        element.Add(new XAttribute("id", step.Id));
        if (step.Name is not null)
        {
            element.Add(new XAttribute("name", step.Name));
        }

        if (step.Topic is not null)
        {
            element.Add(new XAttribute(Camunda + "type", "external"), new XAttribute(Camunda + "topic", step.Topic));
        }

        if (step.CandidateGroups is not null)
        {
            element.Add(new XAttribute(Camunda + "candidateGroups", step.CandidateGroups));
        }

        if (step.Form is { Length: > 0 } form)
        {
            element.Add(new XElement(Model + "extensionElements", new XElement(Camunda + "formData", form.Select(FormFieldElement))));
        }

        if (incoming is not null)
        {
            element.Add(new XElement(Model + "incoming", incoming));
        }

        if (outgoing is not null)
        {
            element.Add(new XElement(Model + "outgoing", outgoing));
        }

        return element;
    }

    private static XElement FormFieldElement(FormField field)
    {
        var element = new XElement(Camunda + "formField", new XAttribute("id", field.Id));
        if (field.Label is not null)
        {
            element.Add(new XAttribute("label", field.Label));
        }

        element.Add(new XAttribute("type", field.Type));
        if (field.DefaultValue is not null)
        {
            element.Add(new XAttribute("defaultValue", field.DefaultValue));
        }

        foreach (var value in field.Values ?? [])
        {
            element.Add(new XElement(Camunda + "value", new XAttribute("id", value), new XAttribute("name", value)));
        }

        var constraints = new List<XElement>();
        if (field.Required)
        {
            constraints.Add(Constraint("required", null));
        }

        (string Name, long? Config)[] limits = [("minlength", field.MinLength), ("maxlength", field.MaxLength), ("min", field.Min), ("max", field.Max)];
        constraints.AddRange(limits.Where(l => l.Config is not null).Select(l => Constraint(l.Name, l.Config)));
        if (constraints.Count > 0)
        {
            element.Add(new XElement(Camunda + "validation", constraints));
        }

        return element;
    }

    private static XElement Constraint(string name, long? config)
    {
        var constraint = new XElement(Camunda + "constraint", new XAttribute("name", name));
        if (config is { } value)
        {
            constraint.Add(new XAttribute("config", value.ToString(CultureInfo.InvariantCulture)));
        }

        return constraint;
    }

    /// <summary>Shapes left to right on the line y = 120: events 36 wide, tasks 100 by 80, gateways 50 by 50.</summary>
    private XElement Diagram(Step[] chain)
    {
        var plane = new XElement(BpmnDi + "BPMNPlane", new XAttribute("id", "BPMNPlane_1"), new XAttribute("bpmnElement", _processId));
        var shapes = new List<XElement>();
        double x = 152;
        double? previousRight = null;
        for (var i = 0; i < chain.Length; i++)
        {
            var step = chain[i];
            var (width, height) = step.Kind switch
            {
                StepKind.Start or StepKind.End => (36d, 36d),
                StepKind.Gateway => (50d, 50d),
                _ => (100d, 80d),
            };
            if (previousRight is { } right)
            {
                // A little more room on either side of a gateway, for its marker.
                x = right + (step.Kind == StepKind.Gateway || chain[i - 1].Kind == StepKind.Gateway ? 55 : 52);
                plane.Add(new XElement(
                    BpmnDi + "BPMNEdge",
                    new XAttribute("id", $"{FlowId(i)}_di"),
                    new XAttribute("bpmnElement", FlowId(i)),
                    Waypoint(right),
                    Waypoint(x)));
            }

            var shape = new XElement(BpmnDi + "BPMNShape", new XAttribute("id", $"{step.Id}_di"), new XAttribute("bpmnElement", step.Id));
            if (step.Kind == StepKind.Gateway)
            {
                shape.Add(new XAttribute("isMarkerVisible", "true"));
            }

            shape.Add(new XElement(
                Dc + "Bounds",
                new XAttribute("x", Number(x)),
                new XAttribute("y", Number(120 - (height / 2))),
                new XAttribute("width", Number(width)),
                new XAttribute("height", Number(height))));
            shapes.Add(shape);
            previousRight = x + width;
        }

        plane.Add(shapes);
        return new XElement(BpmnDi + "BPMNDiagram", new XAttribute("id", "BPMNDiagram_1"), plane);
    }

    private static XElement Waypoint(double x) =>
        new(Di + "waypoint", new XAttribute("x", Number(x)), new XAttribute("y", "120"));

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private enum StepKind
    {
        Start,
        End,
        ServiceTask,
        UserTask,
        Gateway,
    }

    private sealed record Step(StepKind Kind, string Id, string? Name)
    {
        public string? Topic { get; init; }

        public string? CandidateGroups { get; init; }

        public FormField[]? Form { get; init; }

        /// <summary>For a gateway: the condition on its way on.</summary>
        public string? Condition { get; init; }
    }
}
