namespace TaskService.Common;

/// <summary>
/// Every size TaskService accepts, bound from <c>TaskService:Limits</c>. Each limit is enforced before anything is stored or
/// queued; a request over one is refused with a 4xx that names the field and the limit. The defaults are generous for real use
/// and small enough that no single request can exhaust a silo.
/// </summary>
public sealed class LimitsOptions
{
    public const string SectionName = "TaskService:Limits";

    /// <summary>The default of <see cref="MaxJsonDepth"/>.</summary>
    public const int DefaultMaxJsonDepth = 32;

    /// <summary>Largest request body of any route not listed below, in bytes (413 above it).</summary>
    public long MaxRequestBodyBytes { get; set; } = 512 * 1024;

    /// <summary>Largest request body of the workflow deploy and update routes (BPMN and input schema), in bytes.</summary>
    public long MaxWorkflowRequestBodyBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Deepest nesting of arrays and objects in any JSON the service reads (bodies, filters, schemas, payloads).</summary>
    public int MaxJsonDepth { get; set; } = DefaultMaxJsonDepth;

    /// <summary>Longest key or id (event keys, task keys, workflow keys, event ids, path ids), in characters.</summary>
    public int MaxKeyLength { get; set; } = 200;

    /// <summary>Longest name (task, workflow, client app, user task names, sources, statuses and such), in characters.</summary>
    public int MaxNameLength { get; set; } = 500;

    /// <summary>Longest free text (descriptions, notes), in characters.</summary>
    public int MaxTextLength { get; set; } = 10_000;

    /// <summary>Longest webhook URL, in characters.</summary>
    public int MaxUrlLength { get; set; } = 2048;

    /// <summary>Largest event payload as UTF-8 JSON, in bytes. Chosen so that every stream provider (memory and Kafka) carries it.</summary>
    public int MaxEventPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>Largest free-form JSON value other than event payloads (task metadata, workflow inputs), in bytes.</summary>
    public int MaxJsonValueBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Longest <c>filter</c> or <c>where</c> query parameter, in characters (all bracket-form parts together). It also bounds the
    /// length of <c>inq</c>/<c>nin</c> lists and the breadth of <c>and</c>/<c>or</c>.
    /// </summary>
    public int MaxFilterLength { get; set; } = 8 * 1024;

    /// <summary>Largest set of request headers (names and values), in bytes (431 above it).</summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>Most request headers one request may carry (431 above it).</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Most rows one bulk PATCH or DELETE (<c>where=</c>) changes; a larger match is refused, nothing of it changed.</summary>
    public int MaxBulkRows { get; set; } = 10_000;

    /// <summary>Most tasks one <c>create-tasks</c> step may create.</summary>
    public int MaxTasksPerCommand { get; set; } = 1000;

    /// <summary>Largest BPMN document, in bytes.</summary>
    public int MaxBpmnBytes { get; set; } = 1024 * 1024;

    /// <summary>Deepest element nesting in a BPMN document.</summary>
    public int MaxXmlDepth { get; set; } = 64;

    /// <summary>Most elements in a BPMN document.</summary>
    public int MaxXmlElements { get; set; } = 20_000;

    /// <summary>Largest workflow input schema, in bytes of JSON.</summary>
    public int MaxInputSchemaBytes { get; set; } = 64 * 1024;

    /// <summary>How long one regular expression match on user input may run before it is abandoned (the input is then refused).</summary>
    public TimeSpan RegexMatchTimeout { get; set; } = TimeSpan.FromMilliseconds(100);
}
