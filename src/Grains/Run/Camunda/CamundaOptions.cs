using System.ComponentModel.DataAnnotations;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// How TaskService talks to a Camunda 7 engine-rest (or Operaton, CIB seven) and how its external-task worker behaves.
/// Bound from <c>TaskService:Camunda</c>; used when <c>TaskService:Workflows:Engine</c> is <c>camunda</c>.
/// </summary>
public sealed class CamundaOptions
{
    public const string SectionName = "TaskService:Camunda";

    /// <summary>
    /// The engine's address, for example <c>http://camunda:8080</c>; engine-rest is at <see cref="BasePath"/> under it. An address
    /// that already ends with the base path (<c>http://camunda:8080/engine-rest</c>) is taken as it is.
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// Where engine-rest is served under <see cref="BaseUrl"/>: <c>/engine-rest</c> in Camunda 7, Operaton and CIB seven alike
    /// (Camunda Run, the Spring Boot starter and the distributions); set it for an application that mounts the REST API elsewhere,
    /// or empty when <see cref="BaseUrl"/> is the root itself.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9._~%!$&'()*+,;=:@/-]*$", ErrorMessage = "BasePath must be empty or a path such as /engine-rest (no spaces, query or fragment).")]
    public string BasePath { get; set; } = "/engine-rest";

    /// <summary>User for HTTP basic authentication; none when empty.</summary>
    public string? Username { get; set; }

    /// <summary>Password for HTTP basic authentication. Never logged.</summary>
    [Redact]
    public string? Password { get; set; }

    /// <summary>How long one request may take (a long poll may take <see cref="LongPollTimeout"/> longer).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The worker id this silo locks external tasks with; by default the host name, process id and a random suffix.</summary>
    public string? WorkerId { get; set; }

    /// <summary>The most external tasks one silo runs at once, and so the most one fetchAndLock asks for.</summary>
    [Range(1, 1000)]
    public int MaxTasks { get; set; } = 50;

    /// <summary>How long a fetched external task stays locked; the worker extends the lock while a command runs longer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long fetchAndLock waits for a task when none is available (<c>asyncResponseTimeout</c>; at most 30 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:30:00")]
    public TimeSpan LongPollTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a failing command before Camunda raises an incident (as <c>TaskService:Workflows:CommandRetries</c>).</summary>
    [Range(0, 100)]
    public int Retries { get; set; } = 3;

    /// <summary>The <c>retryTimeout</c> after the first failure; it doubles with each further failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest <c>retryTimeout</c> reported.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan MaxRetryTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The pause after the first failed poll (engine unreachable); it doubles, with jitter, up to <see cref="MaxPollBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PollBackoff { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxPollBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How JSON objects and arrays are sent as variables: <c>Object</c> (the default: a <c>java.util.LinkedHashMap</c> or
    /// <c>java.util.ArrayList</c> serialized as <c>application/json</c>, so that <c>${order.amount &gt; 100}</c> works in Camunda as
    /// in the embedded engine) or <c>Json</c> (Camunda Spin's JSON type, for processes written against Spin, such as
    /// <c>${order.prop("amount").numberValue() &gt; 100}</c>). Both are read.
    /// </summary>
    public CamundaJsonVariableType JsonVariableType { get; set; } = CamundaJsonVariableType.Object;

    /// <summary>The engine-rest root: <see cref="BaseUrl"/> with <see cref="BasePath"/>, ending with a slash.</summary>
    public Uri EngineRestRoot
    {
        get
        {
            var baseUrl = BaseUrl ?? throw new InvalidOperationException($"{SectionName}:BaseUrl is required.");
            var address = baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
            var path = (BasePath ?? string.Empty).Trim().Trim('/');
            var root = path.Length == 0 || address.EndsWith("/" + path, StringComparison.OrdinalIgnoreCase) ? address : $"{address}/{path}";
            return new Uri(root + "/");
        }
    }

    /// <summary>The <c>deployment-source</c> of deployments TaskService makes.</summary>
    public string DeploymentSource { get; set; } = "task-service";

    /// <summary>The worker id to use: the configured one, else one made of the host name and process id.</summary>
    public string EffectiveWorkerId => string.IsNullOrWhiteSpace(WorkerId) ? DefaultWorkerId : WorkerId;

    private static readonly string DefaultWorkerId = $"task-service-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
}
