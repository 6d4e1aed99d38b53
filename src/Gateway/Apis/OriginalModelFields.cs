using System.Collections.Frozen;
using System.Text.Json;
using TaskService.Errors;
using TaskService.Gateway.Http;

namespace TaskService.Gateway.Apis;

/// <summary>
/// Properties of the original's models that the service fills itself: the id and the audit fields, and a workflow's deployment
/// fields. The original's request schemas declare them, so a client that read an entity and sends it back (as LoopBack SDKs
/// and sourceloop front ends do) sends them; they are accepted and ignored, but only with the JSON type the original's model
/// gives them (or null). Any other property a request does not know is a 400 naming it, and so is a tolerated one of the wrong
/// type, so that neither a misspelt field nor a mistyped one turns into a silent no-op.
/// </summary>
public static class OriginalModelFields
{
    /// <summary>
    /// The id and the audit fields of every <c>UserModifiableEntity</c> of the original (tasks, mappings, workflows), each with
    /// the .NET type of its JSON form there: <c>string</c>, <c>date-time</c> (<see cref="DateTimeOffset"/>), <c>boolean</c>.
    /// Names are matched as written, as every other property's are: <c>CreatedOn</c> is a property no route takes.
    /// </summary>
    public static FrozenDictionary<string, Type> Audit { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["id"] = typeof(string),
        ["createdOn"] = typeof(DateTimeOffset),
        ["modifiedOn"] = typeof(DateTimeOffset),
        ["createdBy"] = typeof(string),
        ["modifiedBy"] = typeof(string),
        ["deleted"] = typeof(bool),
        ["deletedOn"] = typeof(DateTimeOffset),
        ["deletedBy"] = typeof(string),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// A workflow as <c>GET /workflows/{id}</c> answers it: the audit fields and what a deployment decides (the original's
    /// <c>workflowVersion</c> is a JSON number; <c>workflowVersions</c>, the included relation, a list).
    /// </summary>
    public static FrozenDictionary<string, Type> Workflow { get; } = new Dictionary<string, Type>(Audit, StringComparer.Ordinal)
    {
        ["workflowVersion"] = typeof(double),
        ["externalIdentifier"] = typeof(string),
        ["provider"] = typeof(string),
        ["workflowVersions"] = typeof(JsonElement[]),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Checks the properties a request body of <typeparamref name="TRequest"/> did not map: each must be one of
    /// <paramref name="accepted"/>, of its type or null. Any other is refused with the properties the route takes.
    /// <c>deleted: true</c> is refused: a row is deleted with DELETE, which records who deleted it.
    /// </summary>
    public static Problem? Check<TRequest>(IReadOnlyDictionary<string, JsonElement>? unmapped, FrozenDictionary<string, Type> accepted)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        if (unmapped is null)
        {
            return null;
        }

        foreach (var (name, value) in unmapped)
        {
            if (!accepted.TryGetValue(name, out var type))
            {
                return Problem.Invalid(name, $"The request body holds the property '{name}', which this route does not take; it takes {string.Join(", ", Declared<TRequest>.Names)}.");
            }

            if (!Fits(value, type))
            {
                return Problem.Invalid(name, $"'{name}' must be {ClientErrorText.Expected(type)}, or null; the service sets it itself and ignores the value sent.");
            }

            if (name == "deleted" && value.ValueKind == JsonValueKind.True)
            {
                return Problem.Invalid(name, "'deleted' cannot be set here; delete with the DELETE route, which records who deleted it.");
            }
        }

        return null;
    }

    /// <summary>The JSON names of the properties a request body of the type can set, as the gateway reads them (camel case).</summary>
    private static class Declared<TRequest>
    {
        public static readonly string[] Names =
            [.. ClientErrorText.Settable(JsonSerializerOptions.Web.GetTypeInfo(typeof(TRequest))).Select(p => p.Name)];
    }

    /// <summary>True when <paramref name="value"/> has the JSON form of <paramref name="type"/>; null always fits.</summary>
    private static bool Fits(JsonElement value, Type type) => value.ValueKind switch
    {
        JsonValueKind.Null => true,
        JsonValueKind.String when type == typeof(DateTimeOffset) => value.TryGetDateTimeOffset(out _),
        JsonValueKind.String => type == typeof(string),
        JsonValueKind.True or JsonValueKind.False => type == typeof(bool),
        JsonValueKind.Number => type == typeof(double),
        JsonValueKind.Array => type.IsArray,
        _ => false,
    };
}
