using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// A typed client of Camunda 7 engine-rest (also served by Operaton and CIB seven): deployments, process definitions and
/// instances, external tasks, user tasks, incidents and message correlation. Failures come back as <see cref="CamundaException"/>
/// naming the request and what the engine said; "not found" is a null result where the caller can act on it.
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
    /// file creates no new definition version, and the answer lists no definitions.
    /// </summary>
    public async Task<CamundaDeployment> DeployAsync(string deploymentName, string resourceName, string bpmn, bool deployChangedOnly, CancellationToken cancellationToken = default)
    {
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent(deploymentName), "deployment-name");
        content.Add(new StringContent(deployChangedOnly ? "true" : "false"), "deploy-changed-only");
        content.Add(new StringContent(_options.DeploymentSource), "deployment-source");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(bpmn));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(file, "data", resourceName);
        return (await SendAsync<CamundaDeployment>(HttpMethod.Post, "deployment/create", content, cancellationToken))!;
    }

    /// <summary>
    /// The latest version of the process definition with this key, or null. The description documents 400 for an unknown key
    /// (engines answer 404 as well); with no other input than the key, both mean "no such definition".
    /// </summary>
    public Task<CamundaProcessDefinition?> GetProcessDefinitionByKeyAsync(string key, CancellationToken cancellationToken = default) =>
        SendAsync<CamundaProcessDefinition>(HttpMethod.Get, $"process-definition/key/{Escape(key)}", null, cancellationToken, absentOn: Status400Or404);

    /// <summary>The process definition with this id, or null (400 in the description, 404 from some engines).</summary>
    public Task<CamundaProcessDefinition?> GetProcessDefinitionAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<CamundaProcessDefinition>(HttpMethod.Get, $"process-definition/{Escape(id)}", null, cancellationToken, absentOn: Status400Or404);

    /// <summary>Deletes a process definition; with <paramref name="cascade"/> its instances too. Returns false when it did not exist.</summary>
    public async Task<bool> DeleteProcessDefinitionAsync(string id, bool cascade, CancellationToken cancellationToken = default) =>
        await SendAsync<object>(HttpMethod.Delete, $"process-definition/{Escape(id)}{Query(("cascade", cascade ? "true" : "false"))}", null, cancellationToken, absentOn: Status404, expectsBody: false) is not null;

    public async Task<CamundaProcessInstance> StartByKeyAsync(string key, CamundaStartRequest request, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaProcessInstance>(HttpMethod.Post, $"process-definition/key/{Escape(key)}/start", Json(request), cancellationToken))!;

    public async Task<CamundaProcessInstance> StartByIdAsync(string processDefinitionId, CamundaStartRequest request, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaProcessInstance>(HttpMethod.Post, $"process-definition/{Escape(processDefinitionId)}/start", Json(request), cancellationToken))!;

    // Process instances

    /// <summary>Running instances with the business key (of the process definition key, when given).</summary>
    public async Task<IReadOnlyList<CamundaProcessInstance>> GetProcessInstancesAsync(string businessKey, string? processDefinitionKey = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaProcessInstance[]>(HttpMethod.Get, $"process-instance{Query(("businessKey", businessKey), ("processDefinitionKey", processDefinitionKey))}", null, cancellationToken))!;

    public Task<CamundaProcessInstance?> GetProcessInstanceAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<CamundaProcessInstance>(HttpMethod.Get, $"process-instance/{Escape(id)}", null, cancellationToken, absentOn: Status404);

    /// <summary>
    /// The variables of an instance that is expected to run, <c>Object</c> values in serialized form, or word that it ended. The
    /// description answers 500 ("Process instance with given id does not exist") for an instance that ended or never was, the
    /// same status as any other engine failure (some engines answer 404), so the answer is confirmed with history: an instance
    /// history has seen end, or one neither history (its level may be <c>none</c>) nor <c>GET /process-instance/{id}</c> knows,
    /// is not running; then the history record comes back with it. Otherwise the engine's failure is thrown.
    /// </summary>
    public async Task<CamundaVariablesRead> GetProcessInstanceVariablesAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            var variables = await SendAsync<Dictionary<string, CamundaVariable>>(
                HttpMethod.Get, $"process-instance/{Escape(id)}/variables{Query(("deserializeValues", "false"))}", null, cancellationToken);
            return new CamundaVariablesRead(variables, null);
        }
        catch (CamundaException exception) when (exception.StatusCode is (int)HttpStatusCode.InternalServerError or (int)HttpStatusCode.NotFound)
        {
            var history = await GetHistoricProcessInstanceAsync(id, cancellationToken);
            if (history is { EndTime: not null } || (history is null && await GetProcessInstanceAsync(id, cancellationToken) is null))
            {
                return new CamundaVariablesRead(null, history);
            }

            throw;
        }
    }

    /// <summary>Deletes (cancels) a running instance. Deleting one that is gone is not an error (<c>failIfNotExists=false</c>).</summary>
    public Task DeleteProcessInstanceAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"process-instance/{Escape(id)}{Query(("failIfNotExists", "false"))}", null, cancellationToken, absentOn: Status404, expectsBody: false);

    /// <summary>Instances, running or ended, that history knows with the business key.</summary>
    public async Task<IReadOnlyList<CamundaHistoricProcessInstance>> GetHistoricProcessInstancesAsync(string businessKey, string? processDefinitionKey = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaHistoricProcessInstance[]>(HttpMethod.Get, $"history/process-instance{Query(("processInstanceBusinessKey", businessKey), ("processDefinitionKey", processDefinitionKey))}", null, cancellationToken))!;

    public Task<CamundaHistoricProcessInstance?> GetHistoricProcessInstanceAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<CamundaHistoricProcessInstance>(HttpMethod.Get, $"history/process-instance/{Escape(id)}", null, cancellationToken, absentOn: Status404);

    // External tasks

    /// <summary>
    /// Fetches and locks up to <c>maxTasks</c> external tasks. With <c>asyncResponseTimeout</c> the engine holds the request until a
    /// task is available or the timeout passes (long polling), so this call may take that long and more.
    /// </summary>
    public async Task<IReadOnlyList<CamundaExternalTask>> FetchAndLockAsync(CamundaFetchRequest request, CancellationToken cancellationToken = default)
    {
        var longPoll = TimeSpan.FromMilliseconds(request.AsyncResponseTimeout ?? 0);
        return (await SendAsync<CamundaExternalTask[]>(HttpMethod.Post, "external-task/fetchAndLock", Json(request), cancellationToken, timeout: _options.RequestTimeout + longPoll))!;
    }

    public Task CompleteExternalTaskAsync(string id, CamundaCompleteExternalTask request, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Post, $"external-task/{Escape(id)}/complete", Json(request), cancellationToken, expectsBody: false);

    public Task HandleFailureAsync(string id, CamundaExternalTaskFailure failure, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Post, $"external-task/{Escape(id)}/failure", Json(failure), cancellationToken, expectsBody: false);

    public Task ExtendLockAsync(string id, CamundaExtendLock request, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Post, $"external-task/{Escape(id)}/extendLock", Json(request), cancellationToken, expectsBody: false);

    public Task LockAsync(string id, CamundaLockExternalTask request, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Post, $"external-task/{Escape(id)}/lock", Json(request), cancellationToken, expectsBody: false);

    public Task UnlockAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Post, $"external-task/{Escape(id)}/unlock", null, cancellationToken, expectsBody: false);

    /// <summary>
    /// Sets the retries of an external task (and so resolves its incident). False when the task is gone: the description says 400
    /// for that (and 404 for negative retries, which are never sent), engines answer 404 as well.
    /// </summary>
    public async Task<bool> SetExternalTaskRetriesAsync(string id, int retries, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        return await SendAsync<object>(HttpMethod.Put, $"external-task/{Escape(id)}/retries", Json(new CamundaRetries { Retries = retries }), cancellationToken, absentOn: Status400Or404, expectsBody: false) is not null;
    }

    public async Task<IReadOnlyList<CamundaExternalTask>> GetExternalTasksAsync(string processInstanceId, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaExternalTask[]>(HttpMethod.Get, $"external-task{Query(("processInstanceId", processInstanceId))}", null, cancellationToken))!;

    // User tasks

    public async Task<IReadOnlyList<CamundaTask>> GetTasksAsync(string processInstanceId, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaTask[]>(HttpMethod.Get, $"task{Query(("processInstanceId", processInstanceId))}", null, cancellationToken))!;

    /// <summary>User tasks by id: one, or none when no such task is pending.</summary>
    public async Task<IReadOnlyList<CamundaTask>> GetTaskByIdAsync(string taskId, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaTask[]>(HttpMethod.Get, $"task{Query(("taskId", taskId))}", null, cancellationToken))!;

    /// <summary>
    /// The identity links of a pending user task; null when the task is gone (completed meanwhile): 400 in the description,
    /// 404 from some engines.
    /// </summary>
    public async Task<IReadOnlyList<CamundaIdentityLink>?> GetIdentityLinksAsync(string taskId, string? type = null, CancellationToken cancellationToken = default) =>
        await SendAsync<CamundaIdentityLink[]>(HttpMethod.Get, $"task/{Escape(taskId)}/identity-links{Query(("type", type))}", null, cancellationToken, absentOn: Status400Or404);

    /// <summary>
    /// Completes a user task. False when no such task is pending: the description answers 500 for an unknown task, the same
    /// status as "the process could not be resumed", so a 500 counts as "no such task" only once <c>GET /task?taskId=</c> finds
    /// none; otherwise the engine's error is thrown.
    /// </summary>
    public async Task<bool> CompleteTaskAsync(string id, CamundaCompleteTask request, CancellationToken cancellationToken = default)
    {
        try
        {
            return await SendAsync<object>(HttpMethod.Post, $"task/{Escape(id)}/complete", Json(request), cancellationToken, absentOn: Status404, expectsBody: false) is not null;
        }
        catch (CamundaException exception) when (exception.StatusCode == (int)HttpStatusCode.InternalServerError)
        {
            if ((await GetTaskByIdAsync(id, cancellationToken)).Count == 0)
            {
                return false;
            }

            throw;
        }
    }

    // Incidents and messages

    public async Task<IReadOnlyList<CamundaIncident>> GetIncidentsAsync(string? processInstanceId = null, string? incidentId = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<CamundaIncident[]>(HttpMethod.Get, $"incident{Query(("processInstanceId", processInstanceId), ("incidentId", incidentId))}", null, cancellationToken))!;

    /// <summary>Correlates a message; with <c>resultEnabled</c> the answer lists what it reached, else the list is empty.</summary>
    public async Task<IReadOnlyList<CamundaMessageCorrelationResult>> CorrelateMessageAsync(CamundaMessageCorrelation message, CancellationToken cancellationToken = default) =>
        await SendAsync<CamundaMessageCorrelationResult[]>(HttpMethod.Post, "message", Json(message), cancellationToken, expectsBody: message.ResultEnabled == true) ?? [];

    // Plumbing

    private static readonly int[] Status404 = [(int)HttpStatusCode.NotFound];

    private static readonly int[] Status400Or404 = [(int)HttpStatusCode.BadRequest, (int)HttpStatusCode.NotFound];

    private static JsonContent Json<T>(T body) => JsonContent.Create(body, options: CamundaJson.Options);

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return present.Length == 0 ? string.Empty : "?" + string.Join('&', present);
    }

    private async Task<T?> SendAsync<T>(
        HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken,
        int[]? absentOn = null, bool expectsBody = true, TimeSpan? timeout = null)
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
            if (response.IsSuccessStatusCode)
            {
                if (!expectsBody || response.StatusCode == HttpStatusCode.NoContent)
                {
                    return typeof(T) == typeof(object) ? (T)(object)NoBody.Instance : null;
                }

                try
                {
                    return await response.Content.ReadFromJsonAsync<T>(CamundaJson.Options, cancellationToken)
                        ?? throw new CamundaException(operation, (int)response.StatusCode, null, "The engine answered with an empty body.");
                }
                catch (JsonException exception)
                {
                    throw new CamundaException(operation, (int)response.StatusCode, null, $"The engine's answer is not the JSON expected: {exception.Message}", exception);
                }
            }

            if (absentOn is not null && absentOn.Contains((int)response.StatusCode))
            {
                return null;
            }

            var error = await ReadErrorAsync(response, cancellationToken);
            throw new CamundaException(operation, (int)response.StatusCode, error?.Type, error?.Message);
        }
    }

    private static async Task<CamundaError?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return JsonSerializer.Deserialize<CamundaError>(text, CamundaJson.Options);
        }
        catch (JsonException)
        {
            return new CamundaError { Message = text.Length > 500 ? text[..500] : text };
        }
    }

    /// <summary>What a call without an answer body returns, so that success and "not found" (null) differ.</summary>
    private sealed class NoBody
    {
        public static readonly NoBody Instance = new();
    }
}
