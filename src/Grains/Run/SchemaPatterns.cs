using System.Reflection;
using System.Text.RegularExpressions;
using Json.Schema;
using TaskService.Common;

namespace TaskService.Workflows;

/// <summary>
/// Puts <see cref="SafeRegex"/> expressions into the <c>pattern</c> and <c>patternProperties</c> keywords of a schema JsonSchema.Net
/// has read. The library builds them as backtracking ECMAScript expressions with a five-second timeout, where <c>^(a+)+$</c> takes
/// seconds of CPU on a short input, and offers no option to choose how; its keywords keep the expression in a private field, which
/// is replaced here. The version is pinned in Directory.Packages.props, and InputSchemaValidatorTests fails if the field moves.
/// </summary>
internal static class SchemaPatterns
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;

    private static readonly Type RegexOrPattern = typeof(JsonSchema).Assembly.GetType("Json.Schema.RegexOrPattern", throwOnError: true)!;
    private static readonly FieldInfo PatternField = Field(typeof(PatternKeyword), "_regexOrPattern");
    private static readonly FieldInfo LookupField = Field(typeof(PatternPropertiesKeyword), "_patternsLookup");

    /// <summary>Replaces every pattern in <paramref name="schema"/> and its subschemas.</summary>
    public static void MakeSafe(JsonSchema schema, TimeSpan matchTimeout)
    {
        var seen = new HashSet<JsonSchema>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<JsonSchema>();
        pending.Push(schema);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current) || current.Keywords is not { } keywords)
            {
                continue;
            }

            foreach (var keyword in keywords)
            {
                switch (keyword)
                {
                    case PatternKeyword pattern:
                        PatternField.SetValue(pattern, Wrap(SafeRegex.Create(pattern.Pattern, matchTimeout)));
                        break;
                    case PatternPropertiesKeyword patternProperties:
                        Replace(patternProperties, matchTimeout);
                        break;
                }

                foreach (var child in Subschemas(keyword))
                {
                    pending.Push(child);
                }
            }
        }
    }

    private static void Replace(PatternPropertiesKeyword keyword, TimeSpan matchTimeout)
    {
        var lookup = (System.Collections.IDictionary?)LookupField.GetValue(keyword)
            ?? throw new InvalidOperationException("patternProperties keeps no pattern lookup.");
        var entryType = LookupField.FieldType.GetGenericArguments()[1];
        var replaced = (System.Collections.IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), entryType))!;
        foreach (System.Collections.DictionaryEntry entry in lookup)
        {
            var tuple = (System.Runtime.CompilerServices.ITuple)entry.Value!;
            var safe = Activator.CreateInstance(entryType, Wrap(SafeRegex.Create((string)entry.Key, matchTimeout)), tuple[1], tuple[2]);
            replaced[entry.Key] = safe;
        }

        LookupField.SetValue(keyword, replaced);
    }

    private static IEnumerable<JsonSchema> Subschemas(IJsonSchemaKeyword keyword) => keyword switch
    {
        ISchemaContainer { Schema: { } single } => [single],
        ISchemaCollector { Schemas: { } list } => list,
        IKeyedSchemaCollector { Schemas: { } map } => map.Values,
        ICustomSchemaCollector { Schemas: { } custom } => custom,
        _ => [],
    };

    private static object Wrap(Regex regex) => Activator.CreateInstance(RegexOrPattern, regex)!;

    private static FieldInfo Field(Type type, string name) =>
        type.GetField(name, Private) ?? throw new MissingFieldException(type.FullName, name);
}
