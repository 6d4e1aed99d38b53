using System.Text.Json;
using TaskService.Common;
using TaskService.Errors;

namespace TaskService.Workflows;

/// <summary>
/// The structure of a workflow input schema, checked before JsonSchema.Net ever sees it: the size and depth are within the limits,
/// every string is well-formed UTF-16, <c>$schema</c> names a draft we evaluate, every reference stays inside the document and
/// resolves to a subschema of it, no chain of references and in-place applicators (<c>allOf</c>, <c>anyOf</c>, <c>oneOf</c>,
/// <c>not</c>, <c>if</c>/<c>then</c>/<c>else</c>, <c>dependentSchemas</c>) comes back to where it started without descending into the
/// input (such recursion never terminates), the number of subschemas evaluated against any one input value is bounded, and every
/// pattern is a regular expression.
/// </summary>
/// <remarks>
/// Applicators that descend into the input (<c>properties</c>, <c>items</c>, <c>additionalProperties</c> and the like) may recurse
/// freely: the input is finite. The evaluation bound counts, level by level, how many subschemas one input value at that depth can
/// meet; <c>properties</c> and positional <c>items</c> count their largest member, since one value matches one name or position.
/// </remarks>
internal sealed class InputSchemaStructure
{
    /// <summary>Most subschema evaluations any one input value may cause, so that evaluation stays proportional to the input.</summary>
    internal const double MaxEvaluationsPerValue = 1000;

    /// <summary>
    /// Most subschema evaluations one input may cause in all (an upper bound, estimated before evaluating). JsonSchema.Net takes
    /// 10 to 20 µs per evaluation, so this keeps the check of one input within about half a second of a silo thread.
    /// </summary>
    internal const double MaxEvaluationsPerInput = 20_000;

    /// <summary>Up to this many evaluations, an input that fails is evaluated again to list every violation (which costs twice as much).</summary>
    internal const double MaxEvaluationsToListViolations = 8_000;

    private const string Field = "inputSchema";

    private static readonly Dictionary<string, string> KnownDrafts = new(StringComparer.Ordinal)
    {
        ["https://json-schema.org/draft/2020-12/schema"] = "2020-12",
        ["https://json-schema.org/draft/2019-09/schema"] = "2019-09",
        ["http://json-schema.org/draft-07/schema"] = "draft-07",
        ["http://json-schema.org/draft-06/schema"] = "draft-06",
    };

    private static readonly string[] InPlaceSingle = ["not", "if", "then", "else"];
    private static readonly string[] InPlaceArrays = ["allOf", "anyOf", "oneOf"];
    private static readonly string[] InPlaceMaps = ["dependentSchemas", "dependencies"];
    private static readonly string[] DescendingSingle =
        ["additionalProperties", "additionalItems", "contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties"];
    private static readonly string[] Unsupported = ["$dynamicRef", "$recursiveRef"];

    private readonly List<Node> _nodes = [];
    private readonly Dictionary<string, int> _byPointer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _anchors = new(StringComparer.Ordinal);
    private readonly LimitsOptions _limits;
    private Problem? _problem;

    private InputSchemaStructure(LimitsOptions limits) => _limits = limits;

    /// <summary>The draft named by the root's <c>$schema</c> ("2020-12" when there is none).</summary>
    public string Draft { get; private set; } = "2020-12";

    /// <summary>Every <c>pattern</c> and <c>patternProperties</c> key in the schema.</summary>
    public List<string> Patterns { get; } = [];

    /// <summary>For each input depth, the most subschemas one value at that depth meets (index 0: the input itself).</summary>
    private double[] _rootLevels = [];

    /// <summary>
    /// An upper bound of the subschema evaluations checking <paramref name="input"/> takes: for each depth, its values there times
    /// the most subschemas one value at that depth meets. Null when the input nests deeper than the limit.
    /// </summary>
    public double? EstimateEvaluations(JsonElement input)
    {
        var total = 0d;
        var pending = new Stack<(JsonElement Value, int Depth)>();
        pending.Push((input, 0));
        while (pending.TryPop(out var entry))
        {
            if (entry.Depth >= _rootLevels.Length)
            {
                return null;
            }

            total += _rootLevels[entry.Depth];
            switch (entry.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in entry.Value.EnumerateObject())
                    {
                        pending.Push((property.Value, entry.Depth + 1));
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in entry.Value.EnumerateArray())
                    {
                        pending.Push((item, entry.Depth + 1));
                    }

                    break;
            }
        }

        return total;
    }

    /// <summary>Checks <paramref name="schema"/>: its structure, or the first problem found, naming what and where.</summary>
    public static Outcome<InputSchemaStructure> Check(JsonElement schema, LimitsOptions limits)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(schema.GetRawText());
        if (bytes > limits.MaxInputSchemaBytes)
        {
            return Problem.Invalid(Field,
                $"'inputSchema' is {bytes} bytes of JSON; the limit is {limits.MaxInputSchemaBytes} (TaskService:Limits:MaxInputSchemaBytes).");
        }

        var structure = new InputSchemaStructure(limits);
        if (CheckText(schema, "", 0, limits) is { } badText)
        {
            return badText;
        }

        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$schema", out var draft))
        {
            var uri = draft.ValueKind == JsonValueKind.String ? draft.GetString()!.TrimEnd('#') : null;
            if (uri is null || !KnownDrafts.TryGetValue(uri, out var name))
            {
                return Problem.Invalid(Field,
                    $"'inputSchema' names '$schema' {draft.GetRawText()}, which is not a JSON Schema draft this service evaluates; use one of {string.Join(", ", KnownDrafts.Keys)} or leave '$schema' out (2020-12).");
            }

            structure.Draft = name;
        }

        structure.Collect(schema, "", isRoot: true);
        var problem = structure._problem ?? structure.ResolveReferences() ?? structure.CheckTermination() ?? structure.CheckEvaluationBound();
        if (problem is not null)
        {
            return problem;
        }

        foreach (var pattern in structure.Patterns)
        {
            if (SafeRegex.Check(pattern) is { } reason)
            {
                return Problem.Invalid(Field, $"'inputSchema' has the pattern '{pattern}', which is not a regular expression: {reason}");
            }
        }

        return structure;
    }

    /// <summary>Depth within the limit and no string or property name that is not well-formed UTF-16 (a lone surrogate).</summary>
    private static Problem? CheckText(JsonElement element, string pointer, int depth, LimitsOptions limits)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object or JsonValueKind.Array when depth >= limits.MaxJsonDepth:
                return Problem.Invalid(Field,
                    $"'inputSchema' nests deeper than {limits.MaxJsonDepth} levels at '{pointer}' (TaskService:Limits:MaxJsonDepth).");
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if ((ReadString(() => property.Name, pointer, out var name) ?? CheckText(property.Value, $"{pointer}/{Escape(name)}", depth + 1, limits)) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (CheckText(item, $"{pointer}/{index++}", depth + 1, limits) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.String:
                return ReadString(element.GetString, pointer, out _);
            default:
                return null;
        }
    }

    private static Problem? ReadString(Func<string?> read, string pointer, out string text)
    {
        try
        {
            text = read() ?? "";
            return null;
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json reports a lone surrogate escape only by this exception when the string is read.
            text = "";
            return Problem.Invalid(Field,
                $"'inputSchema' has a string at '{(pointer.Length == 0 ? "/" : pointer)}' that is not valid Unicode (a lone UTF-16 surrogate).");
        }
    }

    /// <summary>Keeps the first problem met while collecting; the walk stops descending once there is one.</summary>
    private int Fail(string message)
    {
        _problem ??= Problem.Invalid(Field, message);
        return 0;
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private int Collect(JsonElement element, string pointer, bool isRoot = false)
    {
        if (_problem is not null)
        {
            return 0;
        }

        var node = new Node(pointer);
        var index = _nodes.Count;
        _nodes.Add(node);
        _byPointer[pointer] = index;
        if (element.ValueKind != JsonValueKind.Object)
        {
            if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Fail(
                    $"'inputSchema' has {element.ValueKind.ToString().ToLowerInvariant()} at '{pointer}' where a schema (an object, or true/false) belongs.");
            }

            return index;
        }

        foreach (var keyword in Unsupported)
        {
            if (element.TryGetProperty(keyword, out _))
            {
                return Fail(
                    $"'inputSchema' uses '{keyword}' at '{Display(pointer)}'; dynamic references are not supported, use '$ref' to a '$defs' entry.");
            }
        }

        if (!isRoot && element.TryGetProperty("$id", out _))
        {
            return Fail(
                $"'inputSchema' has '$id' at '{Display(pointer)}'; only the root may carry '$id' (embedded schema resources are not supported).");
        }

        if (!isRoot && element.TryGetProperty("$schema", out _))
        {
            return Fail($"'inputSchema' has '$schema' at '{Display(pointer)}'; only the root may name the draft.");
        }

        foreach (var anchorKeyword in (string[])["$anchor", "$dynamicAnchor"])
        {
            if (element.TryGetProperty(anchorKeyword, out var anchor) && anchor.ValueKind == JsonValueKind.String)
            {
                _anchors[anchor.GetString()!] = index;
            }
        }

        if (element.TryGetProperty("$ref", out var reference))
        {
            if (reference.ValueKind != JsonValueKind.String)
            {
                return Fail($"'$ref' at '{Display(pointer)}' must be a string.");
            }

            node.Reference = reference.GetString();
        }

        if (element.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.String)
        {
            Patterns.Add(pattern.GetString()!);
        }

        foreach (var property in element.EnumerateObject())
        {
            var at = $"{pointer}/{Escape(property.Name)}";
            var value = property.Value;
            switch (property.Name)
            {
                case var name when InPlaceSingle.Contains(name):
                    node.InPlace.Add(Collect(value, at));
                    break;
                case var name when InPlaceArrays.Contains(name) && value.ValueKind == JsonValueKind.Array:
                    node.InPlace.AddRange(value.EnumerateArray().Select((item, i) => Collect(item, $"{at}/{i}")));
                    break;
                case var name when InPlaceMaps.Contains(name) && value.ValueKind == JsonValueKind.Object:
                    // draft-07 'dependencies' mixes schemas with arrays of property names; only the schemas apply.
                    node.InPlace.AddRange(value.EnumerateObject()
                        .Where(p => p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False)
                        .Select(p => Collect(p.Value, $"{at}/{Escape(p.Name)}")));
                    break;
                case var name when DescendingSingle.Contains(name) || (name == "items" && value.ValueKind != JsonValueKind.Array):
                    node.Descending.Add([Collect(value, at)]);
                    break;
                case "items" or "prefixItems" when value.ValueKind == JsonValueKind.Array:
                    // One array element meets one positional schema: the group counts its largest member.
                    node.Positional.Add(value.EnumerateArray().Select((item, i) => Collect(item, $"{at}/{i}")).ToList());
                    break;
                case "properties" when value.ValueKind == JsonValueKind.Object:
                    node.Positional.Add(value.EnumerateObject().Select(p => Collect(p.Value, $"{at}/{Escape(p.Name)}")).ToList());
                    break;
                case "patternProperties" when value.ValueKind == JsonValueKind.Object:
                    foreach (var entry in value.EnumerateObject())
                    {
                        Patterns.Add(entry.Name);
                        node.Descending.Add([Collect(entry.Value, $"{at}/{Escape(entry.Name)}")]);
                    }

                    break;
                case "$defs" or "definitions" when value.ValueKind == JsonValueKind.Object:
                    foreach (var entry in value.EnumerateObject())
                    {
                        Collect(entry.Value, $"{at}/{Escape(entry.Name)}");
                    }

                    break;
            }
        }

        return index;
    }

    private Problem? ResolveReferences()
    {
        foreach (var node in _nodes)
        {
            if (node.Reference is not { } reference)
            {
                continue;
            }

            if (!reference.StartsWith('#'))
            {
                return Problem.Invalid(Field,
                    $"'$ref' at '{Display(node.Pointer)}' is '{reference}'; references must stay inside the schema ('#', '#/$defs/name' or '#anchor'): nothing is fetched from files or the network.");
            }

            var fragment = Uri.UnescapeDataString(reference[1..]);
            int target;
            if (fragment.Length == 0 || fragment.StartsWith('/'))
            {
                if (!_byPointer.TryGetValue(fragment, out target))
                {
                    return Problem.Invalid(Field,
                        $"'$ref' at '{Display(node.Pointer)}' is '{reference}', which does not point to a subschema of the document.");
                }
            }
            else if (!_anchors.TryGetValue(fragment, out target))
            {
                return Problem.Invalid(Field,
                    $"'$ref' at '{Display(node.Pointer)}' is '{reference}', but no subschema declares '$anchor': '{fragment}'.");
            }

            node.InPlace.Add(target);
        }

        return null;
    }

    /// <summary>A cycle through references and in-place applicators evaluates the same input value for ever.</summary>
    private Problem? CheckTermination()
    {
        var state = new byte[_nodes.Count]; // 0 unvisited, 1 on the current path, 2 done
        for (var start = 0; start < _nodes.Count; start++)
        {
            if (state[start] != 0)
            {
                continue;
            }

            // Iterative depth-first search: schemas may be deep, the stack of a grain thread is not.
            var stack = new Stack<(int Node, int Next)>();
            stack.Push((start, 0));
            state[start] = 1;
            while (stack.Count > 0)
            {
                var (current, next) = stack.Pop();
                var edges = _nodes[current].InPlace;
                if (next == edges.Count)
                {
                    state[current] = 2;
                    continue;
                }

                stack.Push((current, next + 1));
                var target = edges[next];
                if (state[target] == 1)
                {
                    return Problem.Invalid(Field,
                        $"'inputSchema' refers back to '{Display(_nodes[target].Pointer)}' from '{Display(_nodes[current].Pointer)}' without descending into the input, so its evaluation would never end; recursion must go through 'properties', 'items' or another keyword that applies to a part of the input.");
                }

                if (state[target] == 0)
                {
                    state[target] = 1;
                    stack.Push((target, 0));
                }
            }
        }

        return null;
    }

    private Problem? CheckEvaluationBound()
    {
        var levels = _limits.MaxJsonDepth + 1;
        _rootLevels = new double[levels];
        var memo = new double[_nodes.Count, levels];
        var done = new bool[_nodes.Count, levels];
        for (var depth = 0; depth < levels; depth++)
        {
            // Computed level by level: depth d only needs depth d-1 (descending) and depth d itself (in place, acyclic by now).
            for (var node = 0; node < _nodes.Count; node++)
            {
                var count = Evaluations(node, depth, memo, done);
                if (node == 0)
                {
                    _rootLevels[depth] = count;
                }

                if (count > MaxEvaluationsPerValue)
                {
                    return Problem.Invalid(Field,
                        $"'inputSchema' would evaluate one input value against more than {MaxEvaluationsPerValue} subschemas (from '{Display(_nodes[node].Pointer)}', {depth} levels down); simplify its combinations of 'allOf', 'anyOf', 'oneOf' and '$ref'.");
                }
            }
        }

        return null;
    }

    private double Evaluations(int start, int depth, double[,] memo, bool[,] done)
    {
        if (done[start, depth])
        {
            return memo[start, depth];
        }

        // In-place edges form a DAG here; walk it without recursion, in post-order.
        var stack = new Stack<(int Node, bool Expanded)>();
        stack.Push((start, false));
        while (stack.Count > 0)
        {
            var (node, expanded) = stack.Pop();
            if (done[node, depth])
            {
                continue;
            }

            var current = _nodes[node];
            if (!expanded)
            {
                stack.Push((node, true));
                foreach (var next in current.InPlace.Where(n => !done[n, depth]))
                {
                    stack.Push((next, false));
                }

                continue;
            }

            var total = depth == 0 ? 1d : 0d;
            total += current.InPlace.Sum(n => memo[n, depth]);
            if (depth > 0)
            {
                total += current.Descending.Sum(group => group.Sum(n => memo[n, depth - 1]));
                total += current.Positional.Sum(group => group.Count == 0 ? 0 : group.Max(n => memo[n, depth - 1]));
            }

            memo[node, depth] = Math.Min(total, double.MaxValue);
            done[node, depth] = true;
        }

        return memo[start, depth];
    }

    private static string Display(string pointer) => pointer.Length == 0 ? "#" : "#" + pointer;

    private sealed class Node(string pointer)
    {
        public string Pointer { get; } = pointer;

        public string? Reference { get; set; }

        /// <summary>Subschemas applied to the same input value (including the target of '$ref').</summary>
        public List<int> InPlace { get; } = [];

        /// <summary>Subschemas applied to parts of the input, each group counted in full.</summary>
        public List<List<int>> Descending { get; } = [];

        /// <summary>Groups of which one member applies to any one part (properties by name, items by position).</summary>
        public List<List<int>> Positional { get; } = [];
    }
}
