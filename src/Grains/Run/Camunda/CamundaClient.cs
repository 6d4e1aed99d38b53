using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// A typed client of Camunda 7 engine-rest (also served by Operaton and CIB seven): deployments, process definitions and
/// instances, external tasks, user tasks, incidents and message correlation. Where the engine's refusal is an outcome the caller
/// expects (a task gone or locked by another worker, variables or a file refused, a process that could not continue), the call
/// answers a <see cref="CamundaResult{T}"/> holding the <see cref="CamundaRefusal"/>; "not found" is a null or false result where
/// that is all it can mean. Only what is unexpected is a <see cref="CamundaException"/>: the engine unreachable or silent (or
/// answering 502, 503, 504), an answer that is not the JSON expected, a refusal of a call that has no such outcome.
/// </summary>
public sealed class CamundaClient
{
    public const string HttpClientName = "camunda";

    private readonly HttpClient _http;
    private readonly CamundaOptions _options;

    public CamundaClient(HttpClient http, IOptions<CamundaOptions> options)
    {
        _http = http;
        _options = options.Value;
        Configure(_http, _options);
    }

    /// <summary>Points <paramref name="http"/> at the engine-rest root (address and base path), basic authentication, no client-wide timeout.</summary>
    public static void Configure(HttpClient http, CamundaOptions options)
    {
        http.BaseAddress = options.EngineRestRoot;
        http.Timeout = Timeout.InfiniteTimeSpan;
        if (!string.IsNullOrEmpty(options.Username))
        {
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}"));
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }

        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    // Deployments and process definitions

    /// <summary>
    /// Deploys one BPMN file (<c>POST /deployment/create</c>, multipart). With <paramref name="deployChangedOnly"/> an unchanged
    /// file creates no new definition version, and the answer lists no definitions. A file the engine will not parse is refused
    /// with 400.
    /// </summary>
    public async Task<CamundaResult<CamundaDeployment>> DeployAsync(string deploymentName, string resourceName, string bpmn, bool deployChangedOnly, CancellationToken cancellationToken = default)
    {
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent(deploymentName), "deployment-name");
        content.Add(new StringContent(deployChangedOnly ? "true" : "false"), "deploy-changed-only");
        content.Add(new StringContent(_options.DeploymentSource), "deployment-source");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(bpmn));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(file, "data", resourceName);
        return await SendAsync<CamundaDeployment>(HttpMethod.Post, "deployment/create", content, cancellationToken);
    }

    /// <summary>
    /// The latest version of the process definition with this key, or null. The description documents 400 for an unknown key
    /// (engines answer 404 as well); with no other input than the key, both mean "no such definition".
    /// </summary>
    public async Task<CamundaProcessDefinition?> GetProcessDefinitionByKeyAsync(string key, CancellationToken cancellationToken = default) =>
        ValueOrAbsent(await SendAsync<CamundaProcessDefinition>(HttpMethod.Get, $"process-definition/key/{Escape(key)}", null, cancellationToken), Status400Or404);

    /// <summary>The process definition with this id, or null (400 in the description, 404 from some engines).</summary>
    public async Task<CamundaProcessDefinition?> GetProcessDefinitionAsync(string id, CancellationToken cancellationToken = default) =>
        ValueOrAbsent(await SendAsync<CamundaProcessDefinition>(HttpMethod.Get, $"process-definition/{Escape(id)}", null, cancellationToken), Status400Or404);

    /// <summary>
    /// Deletes a process definition; with <paramref name="cascade"/> its instances too. False when it did not exist; the engine's
    /// refusal (instances still running without cascade) otherwise.
    /// </summary>
    public async Task<CamundaResult<bool>> DeleteProcessDefinitionAsync(string id, bool cascade, CancellationToken cancellationToken = default) =>
        Found(await SendAsync(HttpMethod.Delete, $"process-definition/{Escape(id)}{Query(("cascade", cascade ? "true" : "false"))}", null, cancellationToken), Status404);

    /// <summary>Starts the latest definition with the key; refused with 400 (variables), 404 (definition gone) or 500 (the start failed).</summary>
    public async Task<CamundaResult<CamundaProcessInstance>> StartByKeyAsync(string key, CamundaStartRequest request, CancellationToken cancellationToken = default) =>
        await SendAsync<CamundaProcessInstance>(HttpMethod.Post, $"process-definition/key/{Escape(key)}/start", Json(request), cancellationToken);

    /// <summary>Starts the definition with the id; refused as <see cref="StartByKeyAsync"/> is.</summary>
    public async Task<CamundaResult<CamundaProcessInstance>> StartByIdAsync(string processDefinitionId, CamundaStartRequest request, CancellationToken cancellationToken = default) =>
        await SendAsync<CamundaProcessInstance>(HttpMethod.Post, $"process-definition/{Escape(processDefinitionId)}/start", Json(request), cancellationToken);

    // Process instances

    /// <summary>Running instances with the business key (of the process definition key, when given).</summary>
    public async Task<IReadOnlyList<CamundaProcessInstance>> GetProcessInstancesAsync(string businessKey, string? processDefinitionKey = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaProcessInstance[]>(HttpMethod.Get, $"process-instance{Query(("businessKey", businessKey), ("processDefinitionKey", processDefinitionKey))}", null, cancellationToken)).OrThrow();

    public async Task<CamundaProcessInstance?> GetProcessInstanceAsync(string id, CancellationToken cancellationToken = default) =>
        ValueOrAbsent(await SendAsync<CamundaProcessInstance>(HttpMethod.Get, $"process-instance/{Escape(id)}", null, cancellationToken), Status404);

    /// <summary>
    /// The variables of an instance that is expected to run, <c>Object</c> values in serialized form, or word that it ended. The
    /// description answers 500 ("Process instance with given id does not exist") for an instance that ended or never was, the
    /// same status as any other engine failure (some engines answer 404), so the answer is confirmed with history: an instance
    /// history has seen end, or one neither history (its level may be <c>none</c>) nor <c>GET /process-instance/{id}</c> knows,
    /// is not running; then the history record comes back with it. Otherwise the engine's failure is thrown: it is unexpected.
    /// </summary>
    public async Task<CamundaVariablesRead> GetProcessInstanceVariablesAsync(string id, CancellationToken cancellationToken = default)
    {
        var read = await SendAsync<Dictionary<string, CamundaVariable>>(
            HttpMethod.Get, $"process-instance/{Escape(id)}/variables{Query(("deserializeValues", "false"))}", null, cancellationToken);
        if (read.IsOk)
        {
            return new CamundaVariablesRead(read.Value, null);
        }

        if (read.Refusal is { IsEngineFailure: true } or { IsNotFound: true })
        {
            var history = await GetHistoricProcessInstanceAsync(id, cancellationToken);
            if (history is { EndTime: not null } || (history is null && await GetProcessInstanceAsync(id, cancellationToken) is null))
            {
                return new CamundaVariablesRead(null, history);
            }
        }

        throw read.Refusal.ToException();
    }

    /// <summary>Deletes (cancels) a running instance. Deleting one that is gone is not an error (<c>failIfNotExists=false</c>).</summary>
    public async Task DeleteProcessInstanceAsync(string id, CancellationToken cancellationToken = default) =>
        Found(await SendAsync(HttpMethod.Delete, $"process-instance/{Escape(id)}{Query(("failIfNotExists", "false"))}", null, cancellationToken), Status404).OrThrow();

    /// <summary>Instances, running or ended, that history knows with the business key.</summary>
    public async Task<IReadOnlyList<CamundaHistoricProcessInstance>> GetHistoricProcessInstancesAsync(string businessKey, string? processDefinitionKey = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaHistoricProcessInstance[]>(HttpMethod.Get, $"history/process-instance{Query(("processInstanceBusinessKey", businessKey), ("processDefinitionKey", processDefinitionKey))}", null, cancellationToken)).OrThrow();

    public async Task<CamundaHistoricProcessInstance?> GetHistoricProcessInstanceAsync(string id, CancellationToken cancellationToken = default) =>
        ValueOrAbsent(await SendAsync<CamundaHistoricProcessInstance>(HttpMethod.Get, $"history/process-instance/{Escape(id)}", null, cancellationToken), Status404);

    // External tasks

    /// <summary>
    /// Fetches and locks up to <c>maxTasks</c> external tasks. With <c>asyncResponseTimeout</c> the engine holds the request until a
    /// task is available or the timeout passes (long polling), so this call may take that long and more.
    /// </summary>
    public async Task<IReadOnlyList<CamundaExternalTask>> FetchAndLockAsync(CamundaFetchRequest request, CancellationToken cancellationToken = default)
    {
        var longPoll = TimeSpan.FromMilliseconds(request.AsyncResponseTimeout ?? 0);
        return (await SendAsync<CamundaExternalTask[]>(HttpMethod.Post, "external-task/fetchAndLock", Json(request), cancellationToken, timeout: _options.RequestTimeout + longPoll)).OrThrow();
    }

    // What the description documents for the external task operations that follow: 400 when the task is locked by another worker
    // (or, for complete, its variables are refused), 404 when it is gone, 500 when the process could not continue after it.

    public Task<CamundaResult> CompleteExternalTaskAsync(string id, CamundaCompleteExternalTask request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"external-task/{Escape(id)}/complete", Json(request), cancellationToken);

    public Task<CamundaResult> HandleFailureAsync(string id, CamundaExternalTaskFailure failure, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"external-task/{Escape(id)}/failure", Json(failure), cancellationToken);

    public Task<CamundaResult> ExtendLockAsync(string id, CamundaExtendLock request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"external-task/{Escape(id)}/extendLock", Json(request), cancellationToken);

    public Task<CamundaResult> LockAsync(string id, CamundaLockExternalTask request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"external-task/{Escape(id)}/lock", Json(request), cancellationToken);

    public Task<CamundaResult> UnlockAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"external-task/{Escape(id)}/unlock", null, cancellationToken);

    /// <summary>
    /// Sets the retries of an external task (and so resolves its incident). False when the task is gone: the description says 400
    /// for that (and 404 for negative retries, which are never sent), engines answer 404 as well.
    /// </summary>
    public async Task<bool> SetExternalTaskRetriesAsync(string id, int retries, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        return Found(await SendAsync(HttpMethod.Put, $"external-task/{Escape(id)}/retries", Json(new CamundaRetries { Retries = retries }), cancellationToken), Status400Or404).OrThrow();
    }

    public async Task<IReadOnlyList<CamundaExternalTask>> GetExternalTasksAsync(string processInstanceId, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaExternalTask[]>(HttpMethod.Get, $"external-task{Query(("processInstanceId", processInstanceId))}", null, cancellationToken)).OrThrow();

    // User tasks

    public async Task<IReadOnlyList<CamundaTask>> GetTasksAsync(string processInstanceId, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaTask[]>(HttpMethod.Get, $"task{Query(("processInstanceId", processInstanceId))}", null, cancellationToken)).OrThrow();

    /// <summary>User tasks by id: one, or none when no such task is pending.</summary>
    public async Task<IReadOnlyList<CamundaTask>> GetTaskByIdAsync(string taskId, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaTask[]>(HttpMethod.Get, $"task{Query(("taskId", taskId))}", null, cancellationToken)).OrThrow();

    /// <summary>
    /// The identity links of a pending user task; null when the task is gone (completed meanwhile): 400 in the description,
    /// 404 from some engines.
    /// </summary>
    public async Task<IReadOnlyList<CamundaIdentityLink>?> GetIdentityLinksAsync(string taskId, string? type = null, CancellationToken cancellationToken = default) =>
        ValueOrAbsent(await SendAsync<CamundaIdentityLink[]>(HttpMethod.Get, $"task/{Escape(taskId)}/identity-links{Query(("type", type))}", null, cancellationToken), Status400Or404);

    /// <summary>
    /// Completes a user task. False when no such task is pending: the description answers 500 for an unknown task, the same
    /// status as "the process could not be resumed", so a 500 counts as "no such task" only once <c>GET /task?taskId=</c> finds
    /// none. Otherwise the engine's refusal: 400, a variable refused; 500, the process could not continue after the task.
    /// </summary>
    public async Task<CamundaResult<bool>> CompleteTaskAsync(string id, CamundaCompleteTask request, CancellationToken cancellationToken = default)
    {
        var completed = Found(await SendAsync(HttpMethod.Post, $"task/{Escape(id)}/complete", Json(request), cancellationToken), Status404);
        if (completed.Refusal is { IsEngineFailure: true } && (await GetTaskByIdAsync(id, cancellationToken)).Count == 0)
        {
            return false;
        }

        return completed;
    }

    // Incidents and messages

    public async Task<IReadOnlyList<CamundaIncident>> GetIncidentsAsync(string? processInstanceId = null, string? incidentId = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaIncident[]>(HttpMethod.Get, $"incident{Query(("processInstanceId", processInstanceId), ("incidentId", incidentId))}", null, cancellationToken)).OrThrow();

    /// <summary>Correlates a message; with <c>resultEnabled</c> the answer lists what it reached, else the list is empty.</summary>
    public async Task<IReadOnlyList<CamundaMessageCorrelationResult>> CorrelateMessageAsync(CamundaMessageCorrelation message, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaMessageCorrelationResult[]>(HttpMethod.Post, "message", Json(message), cancellationToken, expectsBody: message.ResultEnabled == true)).OrThrow() ?? [];

    // Plumbing

    private static readonly int[] Status404 = [(int)HttpStatusCode.NotFound];

    private static readonly int[] Status400Or404 = [(int)HttpStatusCode.BadRequest, (int)HttpStatusCode.NotFound];

    /// <summary>Statuses that say the engine (or a proxy before it) is away for now: unexpected, and transient.</summary>
    private static readonly int[] StatusUnavailable = [(int)HttpStatusCode.BadGateway, (int)HttpStatusCode.ServiceUnavailable, (int)HttpStatusCode.GatewayTimeout];

    private static JsonContent Json<T>(T body) => JsonContent.Create(body, options: CamundaJson.Options);

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return present.Length == 0 ? string.Empty : "?" + string.Join('&', present);
    }

    /// <summary>The value; null when the engine answered one of <paramref name="absentOn"/>; any other refusal is unexpected.</summary>
    private static T? ValueOrAbsent<T>(CamundaResult<T> result, int[] absentOn) where T : class =>
        result.IsOk ? result.Value : absentOn.Contains(result.Refusal.Status) ? null : throw result.Refusal.ToException();

    /// <summary>True when done, false when the engine answered one of <paramref name="absentOn"/> (it is gone), else the refusal.</summary>
    private static CamundaResult<bool> Found(CamundaResult result, int[] absentOn) =>
        result.IsOk ? true : absentOn.Contains(result.Refusal.Status) ? false : result.Refusal;

    /// <summary>A request that answers nothing on success.</summary>
    private async Task<CamundaResult> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        var sent = await SendAsync<object>(method, path, content, cancellationToken, expectsBody: false);
        return sent.IsOk ? CamundaResult.Ok : sent.Refusal;
    }

    /// <summary>
    /// Sends a request. An error answer is a <see cref="CamundaRefusal"/> value; an engine that cannot be reached, does not answer
    /// in time or answers 502, 503 or 504, and a success answer that is not the JSON expected, are <see cref="CamundaException"/>s.
    /// </summary>
    private async Task<CamundaResult<T>> SendAsync<T>(
        HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, bool expectsBody = true, TimeSpan? timeout = null)
        where T : class
    {
        var operation = $"{method.Method} /{path}";
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout ?? _options.RequestTimeout);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutSource.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CamundaException(operation, null, null, null, new TimeoutException($"No answer within {timeout ?? _options.RequestTimeout}.", exception));
        }
        catch (HttpRequestException exception)
        {
            throw new CamundaException(operation, null, null, null, exception);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                if (!expectsBody || response.StatusCode == HttpStatusCode.NoContent)
                {
                    return new CamundaResult<T>(null, null);
                }

                try
                {
                    return await response.Content.ReadFromJsonAsync<T>(CamundaJson.Options, cancellationToken)
                        ?? throw new CamundaException(operation, status, null, "The engine answered with an empty body.");
                }
                catch (JsonException exception)
                {
                    throw new CamundaException(operation, status, null, $"The engine's answer is not the JSON expected: {exception.Message}", exception);
                }
            }

            var error = await ReadErrorAsync(response, cancellationToken);
            if (StatusUnavailable.Contains(status))
            {
                throw new CamundaException(operation, status, error?.Type, error?.Message);
            }

            return new CamundaRefusal(operation, status, error?.Type, error?.Message);
        }
    }

    private static async Task<CamundaError?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // An error body that is no JSON object (a proxy's page, nothing at all) is kept as text, without a parse that must fail.
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (text.AsSpan().TrimStart() is ['{', ..])
        {
            try
            {
                return JsonSerializer.Deserialize<CamundaError>(text, CamundaJson.Options);
            }
            catch (JsonException)
            {
                // Not the engine's error body after all: kept as text below.
            }
        }

        return new CamundaError { Message = text.Length > 500 ? text[..500] : text };
    }
}
