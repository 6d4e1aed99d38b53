using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using TaskService.Common;
using TaskService.Workflows.Expressions;

namespace TaskService.Workflows.Bpmn;

/// <summary>
/// Reads BPMN 2.0 XML as Camunda Modeler exports it for Camunda 7 and validates it against what the embedded engine runs.
/// Every problem is a <see cref="BpmnValidationException"/> naming the element id as written in the file and how to fix it.
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

    /// <summary>Parses <paramref name="xml"/> and returns its executable processes, in document order.</summary>
    /// <remarks>
    /// The document's size, element nesting and element count are held to <paramref name="limits"/> (the defaults when null) while it
    /// is read, before any tree is built, so that no document can hold a silo thread for long.
    /// </remarks>
    public static IReadOnlyList<BpmnProcess> Parse(string xml, LimitsOptions? limits = null)
    {
        ArgumentNullException.ThrowIfNull(xml);
        limits ??= new LimitsOptions();
        var bytes = xml.Length > limits.MaxBpmnBytes ? xml.Length : Encoding.UTF8.GetByteCount(xml);
        if (bytes > limits.MaxBpmnBytes)
        {
            throw new BpmnValidationException(null,
                $"The BPMN file is {(xml.Length > limits.MaxBpmnBytes ? "more than " + limits.MaxBpmnBytes.ToString(CultureInfo.InvariantCulture) : bytes.ToString(CultureInfo.InvariantCulture))} bytes; the limit is {limits.MaxBpmnBytes} bytes (TaskService:Limits:MaxBpmnBytes).");
        }

        if (string.IsNullOrWhiteSpace(xml))
        {
            throw new BpmnValidationException(null, "The BPMN file is empty; export the diagram from Camunda Modeler as BPMN 2.0 XML.");
        }

        var root = Load(xml, limits);
        if (root.Name != Model + "definitions")
        {
            throw new BpmnValidationException(null,
                $"The file is not BPMN 2.0 XML: its root element is <{root.Name.LocalName}> in namespace '{root.Name.NamespaceName}'; expected <definitions> in namespace '{ModelNamespace}'.");
        }

        if ((string?)root.Attribute(XName.Get("executionPlatform", ModelerNamespace)) is { } platform
            && platform.Contains("Cloud", StringComparison.OrdinalIgnoreCase))
        {
            throw new BpmnValidationException(null,
                $"The file was modelled for {platform} (Camunda 8); the embedded engine runs Camunda 7 diagrams. In Camunda Modeler create a 'Camunda 7' (Platform) BPMN diagram.");
        }

        CheckUniqueIds(root);

        var processes = new List<BpmnProcess>();
        foreach (var process in root.Elements(Model + "process"))
        {
            if (IsTrue((string?)process.Attribute("isExecutable")))
            {
                processes.Add(ParseProcess(process));
            }
        }

        return processes.Count > 0
            ? processes
            : throw new BpmnValidationException(null,
                "The BPMN file has no executable process: set isExecutable=\"true\" on the process to run (the 'Executable' checkbox in Camunda Modeler).");
    }

    private static XElement Load(string xml, LimitsOptions limits)
    {
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
            CheckShape(xml, settings, limits);
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            var document = XDocument.Load(reader, LoadOptions.SetLineInfo);
            return document.Root ?? throw new BpmnValidationException(null, "The BPMN file has no root element.");
        }
        catch (XmlException exception)
        {
            throw new BpmnValidationException(null,
                $"The BPMN file is not well-formed XML at line {exception.LineNumber}, position {exception.LinePosition}: {exception.Message}");
        }
    }

    /// <summary>One streaming pass that stops at the first element too deep or too many, before a tree is built.</summary>
    private static void CheckShape(string xml, XmlReaderSettings settings, LimitsOptions limits)
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
                throw new BpmnValidationException(null,
                    $"The BPMN file nests elements deeper than {limits.MaxXmlDepth} levels (TaskService:Limits:MaxXmlDepth), at <{reader.LocalName}> on line {LineOf(reader)}.");
            }

            if (++elements > limits.MaxXmlElements)
            {
                throw new BpmnValidationException(null,
                    $"The BPMN file has more than {limits.MaxXmlElements} elements (TaskService:Limits:MaxXmlElements).");
            }
        }
    }

    private static int LineOf(XmlReader reader) => reader is IXmlLineInfo info ? info.LineNumber : 0;

    private static void CheckUniqueIds(XElement root)
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
                throw new BpmnValidationException(id,
                    $"The id '{id}' is used by both {Describe(seen[id])} and {Describe(element)}; ids must be unique in the file, rename one of them.");
            }
        }
    }

    private static BpmnProcess ParseProcess(XElement process)
    {
        var processId = RequireId(process);
        CheckExtensions(process, processId);

        var nodes = new List<(XElement Xml, BpmnElement Element)>();
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

            nodes.Add((child, ParseNode(child)));
        }

        var flows = flowElements.Select(ParseFlow).ToList();
        var elements = nodes.Select(n => n.Element).ToList();
        var byId = elements.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var flowsById = flows.ToDictionary(f => f.Id, StringComparer.Ordinal);

        var starts = elements.OfType<StartEvent>().ToList();
        if (starts.Count == 0)
        {
            throw new BpmnValidationException(processId,
                $"Process {Describe(process)} has no start event; add one none start event (a plain circle in Camunda Modeler).");
        }

        if (starts.Count > 1)
        {
            throw new BpmnValidationException(processId,
                $"Process {Describe(process)} has {starts.Count} start events ({string.Join(", ", starts.Select(s => s.Id))}); the embedded engine needs exactly one: remove all but one.");
        }

        foreach (var flow in flows)
        {
            foreach (var (reference, end) in new[] { (flow.SourceId, "sourceRef"), (flow.TargetId, "targetRef") })
            {
                if (!byId.ContainsKey(reference))
                {
                    throw new BpmnValidationException(flow.Id,
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
                    throw new BpmnValidationException(element.Id,
                        $"{element.Describe()} lists <{reference.Name.LocalName}>{flowId}</{reference.Name.LocalName}>, but process {processId} has no sequenceFlow with id '{flowId}'; reconnect the element in Camunda Modeler.");
                }
            }
        }

        var result = new BpmnProcess(processId, (string?)process.Attribute("name"), elements, flows);
        foreach (var element in elements)
        {
            CheckConnections(result, element);
        }

        foreach (var flow in flows)
        {
            CheckCondition(result, flow);
        }

        return result;
    }

    private static BpmnElement ParseNode(XElement xml)
    {
        var id = RequireId(xml);
        var name = (string?)xml.Attribute("name");
        var kind = xml.Name.LocalName;
        if (!SupportedNodes.Contains(kind))
        {
            throw Unsupported(id, xml, kind);
        }

        var eventDefinitions = CheckNodeChildren(xml, id);

        if (xml.Attribute("default") is not null && kind != "exclusiveGateway")
        {
            throw Unsupported(id, xml, $"a default flow on a {kind}", "Only exclusive gateways have default flows: remove the default marker.");
        }

        switch (kind)
        {
            case "startEvent":
                return eventDefinitions.Count == 0
                    ? new StartEvent(id, name)
                    : throw Unsupported(id, xml, $"a startEvent with {eventDefinitions[0].Name.LocalName}");
            case "endEvent":
                if (eventDefinitions.Count == 0)
                {
                    return new EndEvent(id, name);
                }

                return ParseMessageEvent(xml, id, name, eventDefinitions, ExternalTaskElementKind.MessageEndEvent);
            case "intermediateThrowEvent":
                if (eventDefinitions.Count == 0)
                {
                    throw Unsupported(id, xml, "an intermediateThrowEvent without an event definition");
                }

                return ParseMessageEvent(xml, id, name, eventDefinitions, ExternalTaskElementKind.IntermediateThrowEvent);
            case "serviceTask":
                RejectDelegates(xml, xml, id, "serviceTask");
                return new ExternalTaskElement(id, name, ExternalTaskElementKind.ServiceTask, ExternalTopic(xml, xml, id, "serviceTask"));
            case "userTask":
                if (xml.Attribute(Camunda + "candidateUsers") is not null)
                {
                    throw Unsupported(id, xml, "camunda:candidateUsers on a userTask", "Use camunda:assignee or camunda:candidateGroups.");
                }

                return new UserTaskElement(
                    id,
                    name,
                    ExpressionAttribute(xml, id, "assignee"),
                    ExpressionAttribute(xml, id, "candidateGroups"),
                    ExpressionAttribute(xml, id, "dueDate"))
                {
                    Form = BpmnFormReader.Read(xml, id),
                };
            case "exclusiveGateway":
                return new ExclusiveGateway(id, name, NullIfEmpty((string?)xml.Attribute("default")));
            case "parallelGateway":
                return new ParallelGateway(id, name);
            default:
                throw Unsupported(id, xml, kind);
        }
    }

    /// <summary>Checks a flow node's children and returns its event definitions (rejecting them on anything but events).</summary>
    private static List<XElement> CheckNodeChildren(XElement xml, string id)
    {
        var eventDefinitions = new List<XElement>();
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
                CheckExtensions(xml, id);
                continue;
            }

            if (local is "multiInstanceLoopCharacteristics" or "standardLoopCharacteristics")
            {
                throw Unsupported(id, xml, $"{local} (a loop) on a {xml.Name.LocalName}");
            }

            if (xml.Name.LocalName.EndsWith("Event", StringComparison.Ordinal)
                && (local.EndsWith("EventDefinition", StringComparison.Ordinal) || local == "eventDefinitionRef"))
            {
                eventDefinitions.Add(child);
                continue;
            }

            throw Unsupported(id, xml, $"<{local}> inside a {xml.Name.LocalName}");
        }

        return eventDefinitions;
    }

    private static ExternalTaskElement ParseMessageEvent(
        XElement xml, string id, string? name, List<XElement> definitions, ExternalTaskElementKind kind)
    {
        var eventKind = xml.Name.LocalName;
        if (definitions.Count > 1)
        {
            throw Unsupported(id, xml, $"an {eventKind} with {definitions.Count} event definitions");
        }

        var definition = definitions[0];
        if (definition.Name.LocalName != "messageEventDefinition")
        {
            throw Unsupported(id, xml, $"an {eventKind} with {definition.Name.LocalName}");
        }

        RejectDelegates(xml, definition, id, $"message {eventKind}");
        return new ExternalTaskElement(id, name, kind, ExternalTopic(xml, definition, id, $"message {eventKind}"));
    }

    private static void RejectDelegates(XElement xml, XElement definition, string id, string what)
    {
        foreach (var attribute in DelegateAttributes)
        {
            if (definition.Attribute(Camunda + attribute) is not null || xml.Attribute(Camunda + attribute) is not null)
            {
                throw Unsupported(id, xml, $"a {what} with camunda:{attribute}", "In Camunda Modeler set Implementation to External and a Topic.");
            }
        }
    }

    /// <summary>The topic of an external element; Camunda Modeler writes the attributes on the event definition, older files on the event.</summary>
    private static string ExternalTopic(XElement xml, XElement definition, string id, string what)
    {
        var type = (string?)definition.Attribute(Camunda + "type") ?? (string?)xml.Attribute(Camunda + "type");
        if (!string.Equals(type, "external", StringComparison.OrdinalIgnoreCase))
        {
            throw Unsupported(
                id,
                xml,
                type is null ? $"a {what} without camunda:type=\"external\"" : $"a {what} with camunda:type=\"{type}\"",
                "In Camunda Modeler set Implementation to External and a Topic.");
        }

        var topic = (string?)definition.Attribute(Camunda + "topic") ?? (string?)xml.Attribute(Camunda + "topic");
        return string.IsNullOrWhiteSpace(topic)
            ? throw new BpmnValidationException(id,
                $"{Describe(xml)} is an external task without a topic; set camunda:topic (Implementation External, Topic in Camunda Modeler) to the command to run.")
            : topic;
    }

    private static string? ExpressionAttribute(XElement xml, string id, string attribute)
    {
        var value = NullIfEmpty((string?)xml.Attribute(Camunda + attribute));
        if (value is not null && (value.Contains("${", StringComparison.Ordinal) || value.Contains("#{", StringComparison.Ordinal)))
        {
            try
            {
                JuelExpression.Compile(value);
            }
            catch (JuelSyntaxException exception)
            {
                throw new BpmnValidationException(id, $"camunda:{attribute} of {Describe(xml)} does not compile: {exception.Message}");
            }
        }

        return value;
    }

    private static void CheckExtensions(XElement xml, string id)
    {
        foreach (var extensions in xml.Elements(Model + "extensionElements"))
        {
            foreach (var extension in extensions.Elements())
            {
                if (extension.Name.Namespace == Camunda && RejectedExtensions.TryGetValue(extension.Name.LocalName, out var what))
                {
                    throw Unsupported(id, xml, what);
                }
            }
        }
    }

    private static SequenceFlow ParseFlow(XElement xml)
    {
        var id = RequireId(xml);
        CheckExtensions(xml, id);
        var source = NullIfEmpty((string?)xml.Attribute("sourceRef"))
            ?? throw new BpmnValidationException(id, $"sequenceFlow (id {id}) has no sourceRef; connect both ends of the flow.");
        var target = NullIfEmpty((string?)xml.Attribute("targetRef"))
            ?? throw new BpmnValidationException(id, $"sequenceFlow (id {id}) has no targetRef; connect both ends of the flow.");

        string? condition = null;
        if (xml.Element(Model + "conditionExpression") is { } expression)
        {
            var language = (string?)expression.Attribute("language");
            if (!string.IsNullOrEmpty(language) && !string.Equals(language, "juel", StringComparison.OrdinalIgnoreCase))
            {
                throw Unsupported(id, xml, $"a condition in language '{language}'", "Use Condition Type Expression with a ${...} JUEL expression.");
            }

            if (expression.Attribute(Camunda + "resource") is not null)
            {
                throw Unsupported(id, xml, "a condition read from camunda:resource", "Use Condition Type Expression with a ${...} JUEL expression.");
            }

            condition = expression.Value.Trim();
            if (condition.Length == 0)
            {
                throw new BpmnValidationException(id,
                    $"sequenceFlow (id {id}) has an empty condition; write a ${{...}} expression or remove the condition.");
            }
        }

        return new SequenceFlow(id, source, target, condition);
    }

    private static void CheckConnections(BpmnProcess process, BpmnElement element)
    {
        var outgoing = process.Outgoing(element.Id);
        var ends = element is EndEvent || element is ExternalTaskElement { EndsToken: true };
        if (element is StartEvent && process.Incoming(element.Id).Count > 0)
        {
            throw new BpmnValidationException(element.Id,
                $"{element.Describe()} has an incoming sequence flow ({process.Incoming(element.Id)[0].Id}); a start event starts the process, nothing leads to it: remove the flow.");
        }

        if (ends && outgoing.Count > 0)
        {
            throw new BpmnValidationException(element.Id,
                $"{element.Describe()} has an outgoing sequence flow ({outgoing[0].Id}); an end event ends the token: remove the flow or use an intermediate event.");
        }

        if (!ends && outgoing.Count == 0)
        {
            throw new BpmnValidationException(element.Id,
                $"{element.Describe()} has no outgoing sequence flow; connect it to the next element or to an end event.");
        }

        if (element is not ExclusiveGateway gateway)
        {
            return;
        }

        if (gateway.DefaultFlowId is { } defaultId && !outgoing.Any(f => f.Id == defaultId))
        {
            throw new BpmnValidationException(gateway.Id, process.Flows.ContainsKey(defaultId)
                ? $"{gateway.Describe()} names default=\"{defaultId}\", but that flow does not leave the gateway; pick one of its outgoing flows ({string.Join(", ", outgoing.Select(f => f.Id))}) as the default."
                : $"{gateway.Describe()} names default=\"{defaultId}\", but there is no sequenceFlow with that id; pick one of its outgoing flows ({string.Join(", ", outgoing.Select(f => f.Id))}) as the default.");
        }

        if (outgoing.Count > 1)
        {
            foreach (var flow in outgoing)
            {
                if (flow.Condition is null && flow.Id != gateway.DefaultFlowId)
                {
                    throw new BpmnValidationException(flow.Id,
                        $"sequenceFlow (id {flow.Id}) leaves {gateway.Describe()} without a condition and is not its default flow; give it a ${{...}} condition or make it the default flow.");
                }
            }
        }
    }

    private static void CheckCondition(BpmnProcess process, SequenceFlow flow)
    {
        if (flow.Condition is not { } condition)
        {
            return;
        }

        var source = process.Elements[flow.SourceId];
        if (source is not ExclusiveGateway gateway)
        {
            throw new BpmnValidationException(flow.Id,
                $"sequenceFlow (id {flow.Id}): a conditional flow leaving {source.Describe()} is not supported by the embedded engine; supported: conditions on flows leaving an exclusive gateway. Remove the condition or put an exclusive gateway in between.");
        }

        if (flow.Id == gateway.DefaultFlowId)
        {
            throw new BpmnValidationException(flow.Id,
                $"sequenceFlow (id {flow.Id}) is the default flow of {gateway.Describe()} and has a condition; a default flow is taken when no condition holds, so remove its condition.");
        }

        JuelCompiled compiled;
        try
        {
            compiled = JuelExpression.Compile(condition);
        }
        catch (JuelSyntaxException exception)
        {
            throw new BpmnValidationException(flow.Id, $"The condition of sequenceFlow (id {flow.Id}) does not compile: {exception.Message}");
        }

        if (!compiled.IsSingleExpression)
        {
            throw new BpmnValidationException(flow.Id,
                $"The condition of sequenceFlow (id {flow.Id}) is '{condition}', which is not one ${{...}} expression; write it as ${{...}}, for example ${{amount > 100}}.");
        }
    }

    private static string RequireId(XElement xml) =>
        NullIfEmpty((string?)xml.Attribute("id"))
        ?? throw new BpmnValidationException(null, $"A <{xml.Name.LocalName}>{LineInfo(xml)} has no id attribute; every BPMN element needs one.");

    private static BpmnValidationException Unsupported(string id, XElement xml, string what, string? fix = null) =>
        new(id, $"{Describe(xml)}: {what} is not supported by the embedded engine; supported: {Supported}.{(fix is null ? string.Empty : " " + fix)}");

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
