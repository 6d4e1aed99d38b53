using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Workflows.Expressions;

namespace TaskService.Workflows.Bpmn;

/// <summary>
/// Reads BPMN 2.0 XML as Camunda Modeler exports it for Camunda 7 and validates it against what the embedded engine runs.
/// The first problem found is the answer, a <see cref="BpmnProblem"/> naming the element id as written in the file and how to
/// fix it; each step returns it, so nothing is thrown for a file the engine cannot run.
/// </summary>
/// <remarks>
/// Decisions where Camunda is more permissive than we are:
/// <list type="bullet">
/// <item>An exclusive gateway with more than one outgoing flow needs a condition on every flow but the default one. Camunda takes
/// a flow without a condition as "true", which makes the gateway's choice depend on the order flows happen to have in the file.</item>
/// <item>Conditions live only on flows leaving an exclusive gateway; the default flow carries none; a condition is exactly one
/// <c>${...}</c> (surrounding whitespace is trimmed) and must compile.</item>
/// <item>Extensions that carry behaviour (listeners, input/output mappings, connectors, <c>camunda:candidateUsers</c>,
/// <c>humanPerformer</c>/<c>potentialOwner</c>) are rejected rather than silently dropped; the rest (async flags, form keys,
/// properties, history time to live, lanes, data objects and artifacts) is ignored.</item>
/// <item>Non-executable processes are not validated beyond well-formed XML and unique ids; everything in the file that is not a
/// process (collaboration, message, signal, diagram) is ignored.</item>
/// </list>
/// </remarks>
public static class BpmnParser
{
    /// <summary>The BPMN 2.0 model namespace, whatever prefix (bpmn, bpmn2 or none) the file gives it.</summary>
    public const string ModelNamespace = "http://www.omg.org/spec/BPMN/20100524/MODEL";

    /// <summary>The Camunda 7 extension namespace.</summary>
    public const string CamundaNamespace = "http://camunda.org/schema/1.0/bpmn";

    private const string ModelerNamespace = "http://camunda.org/schema/modeler/1.0";

    private const string Supported =
        "startEvent (none), endEvent (none, or message with camunda:type=\"external\" and camunda:topic), " +
        "intermediateThrowEvent (message with camunda:type=\"external\" and camunda:topic), " +
        "serviceTask (camunda:type=\"external\" with camunda:topic), userTask (camunda:assignee, camunda:candidateGroups, camunda:dueDate), " +
        "exclusiveGateway (${...} conditions, default flow), parallelGateway, sequenceFlow";

    private static readonly XNamespace Model = ModelNamespace;
    private static readonly XNamespace Camunda = CamundaNamespace;

    /// <summary>Process children without meaning for execution.</summary>
    private static readonly HashSet<string> IgnoredProcessChildren = new(StringComparer.Ordinal)
    {
        "documentation", "laneSet", "textAnnotation", "association", "group",
        "dataObject", "dataObjectReference", "dataStoreReference", "property",
    };

    /// <summary>Flow node children without meaning for execution (incoming/outgoing are checked, not used).</summary>
    private static readonly HashSet<string> IgnoredNodeChildren = new(StringComparer.Ordinal)
    {
        "documentation", "dataInputAssociation", "dataOutputAssociation", "property",
    };

    private static readonly HashSet<string> SupportedNodes = new(StringComparer.Ordinal)
    {
        "startEvent", "endEvent", "intermediateThrowEvent", "serviceTask", "userTask", "exclusiveGateway", "parallelGateway",
    };

    /// <summary>Camunda extensions that change behaviour, which the embedded engine would otherwise silently skip.</summary>
    private static readonly Dictionary<string, string> RejectedExtensions = new(StringComparer.Ordinal)
    {
        ["inputOutput"] = "camunda:inputOutput (input/output variable mappings)",
        ["executionListener"] = "camunda:executionListener (execution listeners)",
        ["taskListener"] = "camunda:taskListener (task listeners)",
        ["connector"] = "camunda:connector (Camunda Connect)",
        ["errorEventDefinition"] = "camunda:errorEventDefinition (external task error events)",
        ["in"] = "camunda:in (call activity variable mappings)",
        ["out"] = "camunda:out (call activity variable mappings)",
        ["field"] = "camunda:field (delegate field injection)",
    };

    private static readonly string[] DelegateAttributes = ["class", "delegateExpression", "expression"];

    /// <summary>Parses <paramref name="xml"/> and gives its executable processes, in document order, or the first problem found.</summary>
    /// <remarks>
    /// The document's size, element nesting and element count are held to <paramref name="limits"/> (the defaults when null) while it
    /// is read, before any tree is built, so that no document can hold a silo thread for long.
    /// </remarks>
    public static Outcome<IReadOnlyList<BpmnProcess>> Parse(string xml, LimitsOptions? limits = null)
    {
        ArgumentNullException.ThrowIfNull(xml);
        limits ??= new LimitsOptions();
        var bytes = xml.Length > limits.MaxBpmnBytes ? xml.Length : Encoding.UTF8.GetByteCount(xml);
        if (bytes > limits.MaxBpmnBytes)
        {
            return Fault(null,
                $"The BPMN file is {(xml.Length > limits.MaxBpmnBytes ? "more than " + limits.MaxBpmnBytes.ToString(CultureInfo.InvariantCulture) : bytes.ToString(CultureInfo.InvariantCulture))} bytes; the limit is {limits.MaxBpmnBytes} bytes (TaskService:Limits:MaxBpmnBytes).");
        }

        if (string.IsNullOrWhiteSpace(xml))
        {
            return Fault(null, "The BPMN file is empty; export the diagram from Camunda Modeler as BPMN 2.0 XML.");
        }

        if (Load(xml, limits, out var root) is { } unreadable)
        {
            return unreadable;
        }

        if (root.Name != Model + "definitions")
        {
            return Fault(null,
                $"The file is not BPMN 2.0 XML: its root element is <{root.Name.LocalName}> in namespace '{root.Name.NamespaceName}'; expected <definitions> in namespace '{ModelNamespace}'.");
        }

        if ((string?)root.Attribute(XName.Get("executionPlatform", ModelerNamespace)) is { } platform
            && platform.Contains("Cloud", StringComparison.OrdinalIgnoreCase))
        {
            return Fault(null,
                $"The file was modelled for {platform} (Camunda 8); the embedded engine runs Camunda 7 diagrams. In Camunda Modeler create a 'Camunda 7' (Platform) BPMN diagram.");
        }

        if (CheckUniqueIds(root) is { } duplicate)
        {
            return duplicate;
        }

        var processes = new List<BpmnProcess>();
        foreach (var process in root.Elements(Model + "process"))
        {
            if (IsTrue((string?)process.Attribute("isExecutable")))
            {
                if (ParseProcess(process, out var parsed) is { } problem)
                {
                    return problem;
                }

                processes.Add(parsed);
            }
        }

        return processes.Count > 0
            ? Outcome.Of<IReadOnlyList<BpmnProcess>>(processes)
            : Fault(null,
                "The BPMN file has no executable process: set isExecutable=\"true\" on the process to run (the 'Executable' checkbox in Camunda Modeler).");
    }

    private static Problem? Load(string xml, LimitsOptions limits, out XElement root)
    {
        root = null!;
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = limits.MaxBpmnBytes,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };

        try
        {
            if (CheckShape(xml, settings, limits) is { } problem)
            {
                return problem;
            }

            using var reader = XmlReader.Create(new StringReader(xml), settings);
            var document = XDocument.Load(reader, LoadOptions.SetLineInfo);
            if (document.Root is null)
            {
                return Fault(null, "The BPMN file has no root element.");
            }

            root = document.Root;
            return null;
        }
        catch (XmlException) when (xml.Contains("<!DOCTYPE", StringComparison.Ordinal))
        {
            // The reader refuses a document type declaration before anything else in the file; its own message names the
            // reader's settings and methods, which are no concern of whoever sent the file.
            return Fault(null,
                "The BPMN file holds a document type declaration (<!DOCTYPE ...>); DTDs and entities are not accepted, remove it.");
        }
        catch (XmlException exception)
        {
            // XmlReader reports text that is not well-formed XML only by this exception, raised inside System.Xml.
            return Fault(null,
                $"The BPMN file is not well-formed XML at line {exception.LineNumber}, position {exception.LinePosition}: {exception.Message}");
        }
    }

    /// <summary>One streaming pass that stops at the first element too deep or too many, before a tree is built.</summary>
    private static Problem? CheckShape(string xml, XmlReaderSettings settings, LimitsOptions limits)
    {
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        var elements = 0;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (reader.Depth >= limits.MaxXmlDepth)
            {
                return Fault(null,
                    $"The BPMN file nests elements deeper than {limits.MaxXmlDepth} levels (TaskService:Limits:MaxXmlDepth), at <{reader.LocalName}> on line {LineOf(reader)}.");
            }

            if (++elements > limits.MaxXmlElements)
            {
                return Fault(null,
                    $"The BPMN file has more than {limits.MaxXmlElements} elements (TaskService:Limits:MaxXmlElements).");
            }
        }

        return null;
    }

    private static int LineOf(XmlReader reader) => reader is IXmlLineInfo info ? info.LineNumber : 0;

    private static Problem? CheckUniqueIds(XElement root)
    {
        var seen = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var element in root.DescendantsAndSelf())
        {
            if (element.Name.Namespace != Model || (string?)element.Attribute("id") is not { } id)
            {
                continue;
            }

            if (!seen.TryAdd(id, element))
            {
                return Fault(id,
                    $"The id '{id}' is used by both {Describe(seen[id])} and {Describe(element)}; ids must be unique in the file, rename one of them.");
            }
        }

        return null;
    }

    private static Problem? ParseProcess(XElement process, out BpmnProcess result)
    {
        result = null!;
        if ((RequireId(process, out var processId) ?? CheckExtensions(process, processId)) is { } badProcess)
        {
            return badProcess;
        }

        var nodes = new List<(XElement Xml, BpmnElement Element)>();
        var flows = new List<SequenceFlow>();
        var flowElements = new List<XElement>();
        foreach (var child in process.Elements())
        {
            if (child.Name.Namespace != Model || IgnoredProcessChildren.Contains(child.Name.LocalName))
            {
                continue;
            }

            if (child.Name.LocalName == "extensionElements")
            {
                continue;
            }

            if (child.Name.LocalName == "sequenceFlow")
            {
                flowElements.Add(child);
                continue;
            }

            if (ParseNode(child, out var node) is { } badNode)
            {
                return badNode;
            }

            nodes.Add((child, node));
        }

        foreach (var flowElement in flowElements)
        {
            if (ParseFlow(flowElement, out var flow) is { } badFlow)
            {
                return badFlow;
            }

            flows.Add(flow);
        }

        var elements = nodes.Select(n => n.Element).ToList();
        var byId = elements.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var flowsById = flows.ToDictionary(f => f.Id, StringComparer.Ordinal);

        var starts = elements.OfType<StartEvent>().ToList();
        if (starts.Count == 0)
        {
            return Fault(processId,
                $"Process {Describe(process)} has no start event; add one none start event (a plain circle in Camunda Modeler).");
        }

        if (starts.Count > 1)
        {
            return Fault(processId,
                $"Process {Describe(process)} has {starts.Count} start events ({string.Join(", ", starts.Select(s => s.Id))}); the embedded engine needs exactly one: remove all but one.");
        }

        foreach (var flow in flows)
        {
            foreach (var (reference, end) in new[] { (flow.SourceId, "sourceRef"), (flow.TargetId, "targetRef") })
            {
                if (!byId.ContainsKey(reference))
                {
                    return Fault(flow.Id,
                        $"sequenceFlow (id {flow.Id}) has {end}=\"{reference}\", but process {processId} has no flow node with id '{reference}'; reconnect the flow in Camunda Modeler.");
                }
            }
        }

        foreach (var (xml, element) in nodes)
        {
            foreach (var reference in xml.Elements().Where(c => c.Name == Model + "outgoing" || c.Name == Model + "incoming"))
            {
                var flowId = reference.Value.Trim();
                if (!flowsById.ContainsKey(flowId))
                {
                    return Fault(element.Id,
                        $"{element.Describe()} lists <{reference.Name.LocalName}>{flowId}</{reference.Name.LocalName}>, but process {processId} has no sequenceFlow with id '{flowId}'; reconnect the element in Camunda Modeler.");
                }
            }
        }

        result = new BpmnProcess(processId, (string?)process.Attribute("name"), elements, flows);
        foreach (var element in elements)
        {
            if (CheckConnections(result, element) is { } problem)
            {
                return problem;
            }
        }

        foreach (var flow in flows)
        {
            if (CheckCondition(result, flow) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static Problem? ParseNode(XElement xml, out BpmnElement element)
    {
        element = null!;
        if (RequireId(xml, out var id) is { } noId)
        {
            return noId;
        }

        var name = (string?)xml.Attribute("name");
        var kind = xml.Name.LocalName;
        if (!SupportedNodes.Contains(kind))
        {
            return Unsupported(id, xml, kind);
        }

        if (CheckNodeChildren(xml, id, out var eventDefinitions) is { } badChild)
        {
            return badChild;
        }

        if (xml.Attribute("default") is not null && kind != "exclusiveGateway")
        {
            return Unsupported(id, xml, $"a default flow on a {kind}", "Only exclusive gateways have default flows: remove the default marker.");
        }

        switch (kind)
        {
            case "startEvent":
                if (eventDefinitions.Count > 0)
                {
                    return Unsupported(id, xml, $"a startEvent with {eventDefinitions[0].Name.LocalName}");
                }

                element = new StartEvent(id, name);
                return null;
            case "endEvent":
                if (eventDefinitions.Count == 0)
                {
                    element = new EndEvent(id, name);
                    return null;
                }

                return ParseMessageEvent(xml, id, name, eventDefinitions, ExternalTaskElementKind.MessageEndEvent, out element);
            case "intermediateThrowEvent":
                if (eventDefinitions.Count == 0)
                {
                    return Unsupported(id, xml, "an intermediateThrowEvent without an event definition");
                }

                return ParseMessageEvent(xml, id, name, eventDefinitions, ExternalTaskElementKind.IntermediateThrowEvent, out element);
            case "serviceTask":
            {
                if (RejectDelegates(xml, xml, id, "serviceTask") is { } delegates)
                {
                    return delegates;
                }

                if (ExternalTopic(xml, xml, id, "serviceTask", out var topic) is { } problem)
                {
                    return problem;
                }

                element = new ExternalTaskElement(id, name, ExternalTaskElementKind.ServiceTask, topic);
                return null;
            }

            case "userTask":
            {
                if (xml.Attribute(Camunda + "candidateUsers") is not null)
                {
                    return Unsupported(id, xml, "camunda:candidateUsers on a userTask", "Use camunda:assignee or camunda:candidateGroups.");
                }

                if (ExpressionAttribute(xml, id, "assignee", out var assignee) is { } badAssignee)
                {
                    return badAssignee;
                }

                if (ExpressionAttribute(xml, id, "candidateGroups", out var candidateGroups) is { } badGroups)
                {
                    return badGroups;
                }

                if (ExpressionAttribute(xml, id, "dueDate", out var dueDate) is { } badDueDate)
                {
                    return badDueDate;
                }

                if (BpmnFormReader.Read(xml, id, out var form) is { } badForm)
                {
                    return badForm;
                }

                element = new UserTaskElement(id, name, assignee, candidateGroups, dueDate) { Form = form };
                return null;
            }

            case "exclusiveGateway":
                element = new ExclusiveGateway(id, name, NullIfEmpty((string?)xml.Attribute("default")));
                return null;
            case "parallelGateway":
                element = new ParallelGateway(id, name);
                return null;
            default:
                return Unsupported(id, xml, kind);
        }
    }

    /// <summary>Checks a flow node's children and gives its event definitions (rejecting them on anything but events).</summary>
    private static Problem? CheckNodeChildren(XElement xml, string id, out List<XElement> eventDefinitions)
    {
        eventDefinitions = [];
        foreach (var child in xml.Elements())
        {
            if (child.Name.Namespace != Model)
            {
                continue;
            }

            var local = child.Name.LocalName;
            if (local is "incoming" or "outgoing" || IgnoredNodeChildren.Contains(local))
            {
                continue;
            }

            if (local == "extensionElements")
            {
                if (CheckExtensions(xml, id) is { } problem)
                {
                    return problem;
                }

                continue;
            }

            if (local is "multiInstanceLoopCharacteristics" or "standardLoopCharacteristics")
            {
                return Unsupported(id, xml, $"{local} (a loop) on a {xml.Name.LocalName}");
            }

            if (xml.Name.LocalName.EndsWith("Event", StringComparison.Ordinal)
                && (local.EndsWith("EventDefinition", StringComparison.Ordinal) || local == "eventDefinitionRef"))
            {
                eventDefinitions.Add(child);
                continue;
            }

            return Unsupported(id, xml, $"<{local}> inside a {xml.Name.LocalName}");
        }

        return null;
    }

    private static Problem? ParseMessageEvent(
        XElement xml, string id, string? name, List<XElement> definitions, ExternalTaskElementKind kind, out BpmnElement element)
    {
        element = null!;
        var eventKind = xml.Name.LocalName;
        if (definitions.Count > 1)
        {
            return Unsupported(id, xml, $"an {eventKind} with {definitions.Count} event definitions");
        }

        var definition = definitions[0];
        if (definition.Name.LocalName != "messageEventDefinition")
        {
            return Unsupported(id, xml, $"an {eventKind} with {definition.Name.LocalName}");
        }

        if (RejectDelegates(xml, definition, id, $"message {eventKind}") is { } delegates)
        {
            return delegates;
        }

        if (ExternalTopic(xml, definition, id, $"message {eventKind}", out var topic) is { } problem)
        {
            return problem;
        }

        element = new ExternalTaskElement(id, name, kind, topic);
        return null;
    }

    private static Problem? RejectDelegates(XElement xml, XElement definition, string id, string what)
    {
        foreach (var attribute in DelegateAttributes)
        {
            if (definition.Attribute(Camunda + attribute) is not null || xml.Attribute(Camunda + attribute) is not null)
            {
                return Unsupported(id, xml, $"a {what} with camunda:{attribute}", "In Camunda Modeler set Implementation to External and a Topic.");
            }
        }

        return null;
    }

    /// <summary>The topic of an external element; Camunda Modeler writes the attributes on the event definition, older files on the event.</summary>
    private static Problem? ExternalTopic(XElement xml, XElement definition, string id, string what, out string topic)
    {
        topic = string.Empty;
        var type = (string?)definition.Attribute(Camunda + "type") ?? (string?)xml.Attribute(Camunda + "type");
        if (!string.Equals(type, "external", StringComparison.OrdinalIgnoreCase))
        {
            return Unsupported(
                id,
                xml,
                type is null ? $"a {what} without camunda:type=\"external\"" : $"a {what} with camunda:type=\"{type}\"",
                "In Camunda Modeler set Implementation to External and a Topic.");
        }

        var given = (string?)definition.Attribute(Camunda + "topic") ?? (string?)xml.Attribute(Camunda + "topic");
        if (string.IsNullOrWhiteSpace(given))
        {
            return Fault(id,
                $"{Describe(xml)} is an external task without a topic; set camunda:topic (Implementation External, Topic in Camunda Modeler) to the command to run.");
        }

        topic = given;
        return null;
    }

    private static Problem? ExpressionAttribute(XElement xml, string id, string attribute, out string? value)
    {
        value = NullIfEmpty((string?)xml.Attribute(Camunda + attribute));
        if (value is not null && (value.Contains("${", StringComparison.Ordinal) || value.Contains("#{", StringComparison.Ordinal))
            && JuelExpression.Check(value) is { } error)
        {
            return Fault(id, $"camunda:{attribute} of {Describe(xml)} does not compile: {error.Message}");
        }

        return null;
    }

    private static Problem? CheckExtensions(XElement xml, string id)
    {
        foreach (var extensions in xml.Elements(Model + "extensionElements"))
        {
            foreach (var extension in extensions.Elements())
            {
                if (extension.Name.Namespace == Camunda && RejectedExtensions.TryGetValue(extension.Name.LocalName, out var what))
                {
                    return Unsupported(id, xml, what);
                }
            }
        }

        return null;
    }

    private static Problem? ParseFlow(XElement xml, out SequenceFlow flow)
    {
        flow = null!;
        if ((RequireId(xml, out var id) ?? CheckExtensions(xml, id)) is { } problem)
        {
            return problem;
        }

        if (NullIfEmpty((string?)xml.Attribute("sourceRef")) is not { } source)
        {
            return Fault(id, $"sequenceFlow (id {id}) has no sourceRef; connect both ends of the flow.");
        }

        if (NullIfEmpty((string?)xml.Attribute("targetRef")) is not { } target)
        {
            return Fault(id, $"sequenceFlow (id {id}) has no targetRef; connect both ends of the flow.");
        }

        string? condition = null;
        if (xml.Element(Model + "conditionExpression") is { } expression)
        {
            var language = (string?)expression.Attribute("language");
            if (!string.IsNullOrEmpty(language) && !string.Equals(language, "juel", StringComparison.OrdinalIgnoreCase))
            {
                return Unsupported(id, xml, $"a condition in language '{language}'", "Use Condition Type Expression with a ${...} JUEL expression.");
            }

            if (expression.Attribute(Camunda + "resource") is not null)
            {
                return Unsupported(id, xml, "a condition read from camunda:resource", "Use Condition Type Expression with a ${...} JUEL expression.");
            }

            condition = expression.Value.Trim();
            if (condition.Length == 0)
            {
                return Fault(id,
                    $"sequenceFlow (id {id}) has an empty condition; write a ${{...}} expression or remove the condition.");
            }
        }

        flow = new SequenceFlow(id, source, target, condition);
        return null;
    }

    private static Problem? CheckConnections(BpmnProcess process, BpmnElement element)
    {
        var outgoing = process.Outgoing(element.Id);
        var ends = element is EndEvent || element is ExternalTaskElement { EndsToken: true };
        if (element is StartEvent && process.Incoming(element.Id).Count > 0)
        {
            return Fault(element.Id,
                $"{element.Describe()} has an incoming sequence flow ({process.Incoming(element.Id)[0].Id}); a start event starts the process, nothing leads to it: remove the flow.");
        }

        if (ends && outgoing.Count > 0)
        {
            return Fault(element.Id,
                $"{element.Describe()} has an outgoing sequence flow ({outgoing[0].Id}); an end event ends the token: remove the flow or use an intermediate event.");
        }

        if (!ends && outgoing.Count == 0)
        {
            return Fault(element.Id,
                $"{element.Describe()} has no outgoing sequence flow; connect it to the next element or to an end event.");
        }

        if (element is not ExclusiveGateway gateway)
        {
            return null;
        }

        if (gateway.DefaultFlowId is { } defaultId && !outgoing.Any(f => f.Id == defaultId))
        {
            return Fault(gateway.Id, process.Flows.ContainsKey(defaultId)
                ? $"{gateway.Describe()} names default=\"{defaultId}\", but that flow does not leave the gateway; pick one of its outgoing flows ({string.Join(", ", outgoing.Select(f => f.Id))}) as the default."
                : $"{gateway.Describe()} names default=\"{defaultId}\", but there is no sequenceFlow with that id; pick one of its outgoing flows ({string.Join(", ", outgoing.Select(f => f.Id))}) as the default.");
        }

        if (outgoing.Count > 1)
        {
            foreach (var flow in outgoing)
            {
                if (flow.Condition is null && flow.Id != gateway.DefaultFlowId)
                {
                    return Fault(flow.Id,
                        $"sequenceFlow (id {flow.Id}) leaves {gateway.Describe()} without a condition and is not its default flow; give it a ${{...}} condition or make it the default flow.");
                }
            }
        }

        return null;
    }

    private static Problem? CheckCondition(BpmnProcess process, SequenceFlow flow)
    {
        if (flow.Condition is not { } condition)
        {
            return null;
        }

        var source = process.Elements[flow.SourceId];
        if (source is not ExclusiveGateway gateway)
        {
            return Fault(flow.Id,
                $"sequenceFlow (id {flow.Id}): a conditional flow leaving {source.Describe()} is not supported by the embedded engine; supported: conditions on flows leaving an exclusive gateway. Remove the condition or put an exclusive gateway in between.");
        }

        if (flow.Id == gateway.DefaultFlowId)
        {
            return Fault(flow.Id,
                $"sequenceFlow (id {flow.Id}) is the default flow of {gateway.Describe()} and has a condition; a default flow is taken when no condition holds, so remove its condition.");
        }

        var compiled = JuelExpression.TryCompile(condition, out var error);
        if (compiled is null)
        {
            return Fault(flow.Id, $"The condition of sequenceFlow (id {flow.Id}) does not compile: {error!.Message}");
        }

        if (!compiled.IsSingleExpression)
        {
            return Fault(flow.Id,
                $"The condition of sequenceFlow (id {flow.Id}) is '{condition}', which is not one ${{...}} expression; write it as ${{...}}, for example ${{amount > 100}}.");
        }

        return null;
    }

    private static Problem? RequireId(XElement xml, out string id)
    {
        id = NullIfEmpty((string?)xml.Attribute("id")) ?? string.Empty;
        return id.Length > 0
            ? null
            : Fault(null, $"A <{xml.Name.LocalName}>{LineInfo(xml)} has no id attribute; every BPMN element needs one.");
    }

    private static Problem Fault(string? elementId, string message) => BpmnProblem.At(elementId, message);

    private static Problem Unsupported(string id, XElement xml, string what, string? fix = null) =>
        Fault(id, $"{Describe(xml)}: {what} is not supported by the embedded engine; supported: {Supported}.{(fix is null ? string.Empty : " " + fix)}");

    /// <summary>Names an element the way <see cref="BpmnElement.Describe"/> does: <c>userTask 'Approve' (id approve)</c>.</summary>
    private static string Describe(XElement xml)
    {
        var id = (string?)xml.Attribute("id");
        var name = (string?)xml.Attribute("name");
        var identity = id is null ? LineInfo(xml).TrimStart() : $"(id {id})";
        return name is { Length: > 0 } ? $"{xml.Name.LocalName} '{name}' {identity}" : $"{xml.Name.LocalName} {identity}";
    }

    private static string LineInfo(XElement xml) =>
        xml is IXmlLineInfo info && info.HasLineInfo() ? $" at line {info.LineNumber}" : string.Empty;

    private static bool IsTrue(string? value) => value?.Trim() is "true" or "1";

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
