namespace TaskService.Workflows.Bpmn;

/// <summary>An executable process: its elements and the flows between them, validated for the embedded engine.</summary>
public sealed class BpmnProcess
{
    private readonly Dictionary<string, List<SequenceFlow>> _outgoing;
    private readonly Dictionary<string, List<SequenceFlow>> _incoming;

    public BpmnProcess(string id, string? name, IReadOnlyList<BpmnElement> elements, IReadOnlyList<SequenceFlow> flows)
    {
        Id = id;
        Name = name;
        Elements = elements.ToDictionary(e => e.Id, StringComparer.Ordinal);
        Flows = flows.ToDictionary(f => f.Id, StringComparer.Ordinal);
        _outgoing = flows.GroupBy(f => f.SourceId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        _incoming = flows.GroupBy(f => f.TargetId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        Start = elements.OfType<StartEvent>().Single();
    }

    /// <summary>The BPMN process id: the workflow key mappings name.</summary>
    public string Id { get; }

    public string? Name { get; }

    public IReadOnlyDictionary<string, BpmnElement> Elements { get; }

    public IReadOnlyDictionary<string, SequenceFlow> Flows { get; }

    public StartEvent Start { get; }

    /// <summary>The flows leaving an element, in document order.</summary>
    public IReadOnlyList<SequenceFlow> Outgoing(string elementId) => _outgoing.TryGetValue(elementId, out var flows) ? flows : [];

    public IReadOnlyList<SequenceFlow> Incoming(string elementId) => _incoming.TryGetValue(elementId, out var flows) ? flows : [];
}
