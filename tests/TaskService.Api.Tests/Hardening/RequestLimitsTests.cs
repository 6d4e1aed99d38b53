using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests.Hardening;

/// <summary>Sizes, content types and fields the API refuses before anything is stored or queued (TaskService:Limits).</summary>
[Collection(ApiCollection.Name)]
public sealed class RequestLimitsTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task ABodyOverTheRouteLimitIs413AndNothingIsRecorded()
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("too-large");
        var big = new string('a', 600 * 1024);
        var response = await client.SendAsync("POST", "/events/trigger", $"{{\"key\":\"{key}\",\"payload\":{{\"text\":\"{big}\"}}}}");
        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("TaskService:Limits", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await client.CountAsync($"/events/count?{JsonApi.Where(new { key })}"));
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitIs413()
    {
        var client = factory.CreateAdminClient();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"key\":\"k\",\"payload\":{\"text\":\"" + new string('b', 700 * 1024) + "\"}}")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/trigger") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await client.SendAsync(request);
        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal($"The request body is larger than the limit of {new TaskService.Common.LimitsOptions().MaxRequestBodyBytes} bytes (TaskService:Limits).", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("GET", "/no-such-route", HttpStatusCode.NotFound, "No route matches this path")]
    [InlineData("PUT", "/tasks", HttpStatusCode.MethodNotAllowed, "This path does not take the request's method; it takes DELETE, GET, PATCH, HEAD.")]
    public async Task AnAnswerTheFrameworkGivesForAStatusAloneSaysWhatIsWrong(string method, string path, HttpStatusCode status, string detail)
    {
        var response = await factory.CreateAdminClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var problem = await response.AssertProblemAsync(status);
        Assert.StartsWith(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestWithoutATokenIs401AndOneWithoutThePermissionIs403EachSayingWhatIsMissing()
    {
        var anonymous = await factory.CreateAnonymousClient().GetAsync("/tasks");
        var unauthorized = await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("Authorization: Bearer", unauthorized.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var withoutPermission = await factory.CreateClient(Permissions.ViewEvent).GetAsync("/tasks");
        var forbidden = await withoutPermission.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal($"The bearer token's 'permissions' claim lacks what this route needs: {Permissions.ViewTask}.", forbidden.GetProperty("detail").GetString());
        Assert.Equal(Permissions.ViewTask, forbidden.GetProperty("permissions").GetString());
    }

    [Fact]
    public async Task AnEventPayloadOverItsLimitIs400NamingPayload()
    {
        var limits = new TaskService.Common.LimitsOptions();
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("payload-limit");

        // Under the body limit, over the payload limit: refused before the 202, so nothing reaches a stream it cannot cross.
        var text = new string('c', limits.MaxEventPayloadBytes - 1000);
        var payload = $$"""{"a":"{{text}}","b":"{{new string('d', 2000)}}"}""";
        var response = await client.SendAsync("POST", "/events/trigger", $$"""{"key":"{{key}}","payload":{{payload}}}""");
        var problem = await response.AssertBadRequestNamingAsync("payload");
        Assert.Contains("TaskService:Limits", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await client.CountAsync($"/events/count?{JsonApi.Where(new { key })}"));

        // Just under it is accepted.
        var accepted = await client.SendAsync("POST", "/events/trigger", "{\"key\":\"" + key + "\",\"payload\":{\"a\":\"" + new string('e', limits.MaxEventPayloadBytes - 100) + "\"}}");
        await accepted.AssertStatusAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task TheLargestEventTheLimitsAcceptIsRoutedAndSoIsTheNextOnItsStream()
    {
        var limits = new TaskService.Common.LimitsOptions();
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, processId) = TestWorkflows.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
        await client.DeployAsync(bpmn);
        var eventKey = TaskSeeding.NewKey("largest");
        (await client.PostJsonAsync("/events/mapping", new { eventKey, workflowKey = processId })).EnsureSuccessStatusCode();

        // A payload of exactly MaxEventPayloadBytes, and every other field at its limit in three-byte characters.
        string Payload(string taskKey, int bytes)
        {
            var head = $$"""{"tasks":{"values":[{"key":"{{taskKey}}","name":"largest"}]},"pad":""";
            return head + "\"" + new string('p', bytes - head.Length - 3) + "\"}";
        }

        var first = TaskSeeding.NewKey("largest-task");
        var payload = Payload(first, limits.MaxEventPayloadBytes);
        Assert.Equal(limits.MaxEventPayloadBytes, System.Text.Encoding.UTF8.GetByteCount(payload));
        var body = $$"""{"key":"{{eventKey}}","payload":{{payload}},"source":"{{new string('\u20ac', limits.MaxNameLength)}}","description":"{{new string('\u20ac', limits.MaxTextLength)}}"}""";
        await (await client.SendAsync("POST", "/events/trigger", body)).AssertStatusAsync(HttpStatusCode.Accepted);
        var second = TaskSeeding.NewKey("after-largest-task");
        await (await client.SendAsync("POST", "/events/trigger", $$"""{"key":"{{eventKey}}","payload":{{Payload(second, 200)}}}""")).AssertStatusAsync(HttpStatusCode.Accepted);

        foreach (var taskKey in new[] { first, second })
        {
            await Eventually.ReturnsAsync(() => client.CountAsync($"/tasks/count?{JsonApi.Where(new { key = taskKey })}"), n => n == 1,
                because: "the event is routed to its workflow, which creates its task");
        }
    }

    [Fact]
    public async Task AWorkflowDeploymentMayBeLargerThanOtherBodiesButNotUnbounded()
    {
        var limits = new TaskService.Common.LimitsOptions();
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, _) = TestWorkflows.WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process");
        var padded = bpmn.Replace("<bpmn:process ", $"<!-- {new string('x', (int)limits.MaxRequestBodyBytes)} --><bpmn:process ", StringComparison.Ordinal);
        Assert.NotEqual(bpmn, padded);
        var response = await client.PostJsonAsync("/workflows", new { name = "padded", bpmnFile = padded });
        await response.AssertStatusAsync(HttpStatusCode.Created);

        var huge = new string('x', (int)limits.MaxWorkflowRequestBodyBytes + 10);
        response = await client.PostJsonAsync("/workflows", new { name = "huge", bpmnFile = huge });
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("POST", "/events/trigger")]
    [InlineData("POST", "/events/mapping")]
    [InlineData("POST", "/client-apps")]
    [InlineData("PATCH", "/tasks/some-task/user-tasks/some-user-task/complete")]
    [InlineData("POST", "/workflow-instances/some-instance/external-tasks/some-task/complete")]
    public async Task ABodyThatIsNotJsonIs415(string method, string url)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "nonsense" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes("key=value")) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            var response = await client.SendAsync(request);
            var problem = await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
            Assert.Contains("application/json", problem.GetProperty("detail").GetString());
        }
    }

    [Theory]
    [InlineData("PATCH", "/tasks/some-task/user-tasks/some-user-task/complete")]
    [InlineData("POST", "/workflow-instances/some-instance/external-tasks/some-task/complete")]
    public async Task TheCompleteRoutesAnswerMalformedJsonWith400(string method, string url)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        foreach (var body in new[] { "{", "[1,2]", "{\"variables\": 5}", "{\"variables\": {\"a\": \"\\ud800\"}}", "{\"other\": 1}", "\"text\"" })
        {
            var response = await client.SendAsync(method, url, body);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task ABodyOnARouteThatReadsNoneIs400()
    {
        var client = factory.CreateAdminClient();
        var response = await client.SendAsync("DELETE", "/tasks/no-such-task", "{\"cascade\": false}");
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);

        // An empty JSON object says nothing, and many clients send one with every request that has a method like POST.
        response = await client.SendAsync("DELETE", "/tasks/no-such-task", " { } ");
        Assert.NotEqual(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("PUT", "/events/trigger", "{\"key\": \"k\"}")]
    [InlineData("PATCH", "/events/trigger", "{}")]
    [InlineData("PUT", "/events/trigger", "not json")]
    public async Task AMethodThePathDoesNotTakeIs405WithTheMethodsItTakesWhateverTheBody(string method, string url, string body)
    {
        var response = await factory.CreateAdminClient().SendAsync(method, url, body);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.NotEmpty(response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("key", 201)]
    [InlineData("source", 501)]
    [InlineData("description", 10_001)]
    [InlineData("id", 201)]
    public async Task AFieldOverItsLengthIs400NamingIt(string field, int length)
    {
        var client = factory.CreateAdminClient();
        var body = new Dictionary<string, object> { ["key"] = "k", ["payload"] = new { }, [field] = new string('f', length) };
        var response = await client.PostJsonAsync("/events/trigger", body);
        var problem = await response.AssertBadRequestNamingAsync(field);
        Assert.Contains("TaskService:Limits", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task JsonNestedDeeperThanTheLimitIs400()
    {
        var client = factory.CreateAdminClient();
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40);
        var response = await client.SendAsync("POST", "/events/trigger", $$"""{"key":"deep","payload":{{deep}}}""");
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("depth", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("GET", "/tasks", "filter", "arrays")]
    [InlineData("GET", "/tasks/count", "where", "arrays")]
    [InlineData("GET", "/tasks/count", "where", "and")]
    [InlineData("DELETE", "/tasks", "where", "and")]
    [InlineData("GET", "/tasks/count", "where", "brackets")]
    public async Task AFilterNestedDeeperThanMaxJsonDepthIs400NamingTheParameterAndTheLimit(string method, string path, string parameter, string form)
    {
        // 40 arrays, or a where clause 17 'and's deep (35 levels of arrays and objects, within the 32 'and'/'or' levels), in
        // JSON or in the bracket form.
        var query = form switch
        {
            "arrays" => $"{parameter}={Uri.EscapeDataString(new string('[', 40) + new string(']', 40))}",
            "and" => $"{parameter}={Uri.EscapeDataString(string.Concat(Enumerable.Repeat("{\"and\":[", 17)) + "{\"key\":\"nested\"}" + string.Concat(Enumerable.Repeat("]}", 17)))}",
            _ => $"{parameter}{string.Concat(Enumerable.Repeat("[and][0]", 17))}[key]=nested",
        };

        var response = await factory.CreateAdminClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), $"{path}?{query}"));

        var problem = await response.AssertBadRequestNamingAsync(parameter);
        Assert.Equal($"The '{parameter}' parameter nests arrays and objects deeper than 32 levels (TaskService:Limits:MaxJsonDepth).", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("%20")]
    [InlineData("%20%20%09")]
    [InlineData("a%0Ab")]
    public async Task APathIdThatIsBlankOrHoldsControlCharactersIs400(string id)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        foreach (var url in new[] { $"/tasks/{id}", $"/events/{id}", $"/workflows/{id}", $"/workflow-instances/{id}", $"/tasks/{id}/user-tasks" })
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task APathIdLongerThanTheLimitIs400()
    {
        var client = factory.CreateAdminClient();
        var response = await client.GetAsync($"/tasks/{new string('t', 201)}");
        await response.AssertBadRequestNamingAsync("id");
        response = await client.SendAsync("PATCH", $"/tasks/{new string('t', 201)}", "{\"name\":\"x\"}");
        await response.AssertBadRequestNamingAsync("id");
    }

    [Theory]
    [InlineData("{\"where\":{\"name\":\"\\ud800\"}}")]
    [InlineData("{\"where\":{\"name\":{\"like\":\"\\udfff%\"}}}")]
    public async Task AFilterHoldingALoneSurrogateIs400(string filter)
    {
        var client = factory.CreateAdminClient();
        var response = await client.GetAsync($"/tasks?{JsonApi.Filter(filter)}");
        await response.AssertBadRequestNamingAsync("filter");
    }

    [Fact]
    public async Task AnEventPayloadHoldingNulIs400()
    {
        var client = factory.CreateAdminClient();
        var response = await client.SendAsync("POST", "/events/trigger", "{\"key\":\"nul\",\"payload\":{\"a\":\"x\\u0000y\"}}");
        await response.AssertBadRequestNamingAsync("payload");
    }

    [Theory]
    [InlineData("1e999999")]
    [InlineData("-1e999999")]
    [InlineData("1e-999999")]
    [InlineData("1e401")]
    [InlineData("123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task ANumberNoStoreCanKeepIs400NamingTheField(string number)
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("number");

        var response = await client.SendAsync("POST", "/events/trigger", $$$"""{"key":"{{{key}}}","payload":{"amount":{{{number}}}}}""");

        var problem = await response.AssertBadRequestNamingAsync("payload");
        Assert.Contains("payload.amount", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await client.CountAsync($"/events/count?{JsonApi.Where(new { key })}"));
        response = await client.GetAsync($"/tasks?{JsonApi.Filter($$$"""{"where":{"metadata.amount":{{{number}}}}}""")}");
        await response.AssertBadRequestNamingAsync("filter");

        // Large but ordinary numbers are kept.
        response = await client.SendAsync("POST", "/events/trigger", $$$"""{"key":"{{{key}}}","payload":{"amount":1e400,"small":-4.9e-324,"id":12345678901234567890}}""");
        await response.AssertStatusAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task ErrorTextsNameFieldsNotDotNetTypes()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var cases = new (string Method, string Url, string Body)[]
        {
            ("POST", "/events/trigger", "{\"key\": 5}"),
            ("POST", "/events/trigger", "{\"key\": \"k\", \"unknown\": 1}"),
            ("POST", "/workflows/x/execute", "{\"input\": {}, \"workflowVersion\": \"one\"}"),
            ("POST", "/workflows/x/execute", "{\"input\": {}, \"workflowVersion\": 1e40}"),
            ("PATCH", "/tasks/x", "{\"dueDate\": \"tomorrow\"}"),
            ("DELETE", "/tasks/x?cascade=maybe", ""),
        };
        foreach (var (method, url, body) in cases)
        {
            var response = await client.SendAsync(method, url, body.Length == 0 ? null : body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {url} {body}: {(int)response.StatusCode} {text}");
            Assert.DoesNotContain("System.", text);
            Assert.DoesNotContain("TaskService.", text);
            Assert.DoesNotContain("Nullable", text);
            Assert.DoesNotContain(".cs:line", text);
        }

        var unknown = await (await client.SendAsync("POST", "/events/trigger", "{\"key\": \"k\", \"unknown\": 1}")).AssertBadRequestNamingAsync("unknown");
        Assert.Contains("'unknown'", unknown.GetProperty("detail").GetString());
        var version = await (await client.SendAsync("POST", "/workflows/x/execute", "{\"input\": {}, \"workflowVersion\": \"one\"}")).AssertBadRequestNamingAsync("workflowVersion");
        Assert.Contains("whole number", version.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("POST", "/events/trigger", "{\"key\": \"k\", \"unknown\": 1}", "unknown", "The request body holds the property 'unknown', which this route does not take; it takes key, payload, source, description, id.")]
    [InlineData("POST", "/events/trigger", "{\"KEY\": \"k\", \"payload\": {}}", "KEY", "The request body holds the property 'KEY', which this route does not take; it takes key, payload, source, description, id.")]
    [InlineData("POST", "/client-apps", "{\"ClientName\": \"x\"}", "ClientName", "The request body holds the property 'ClientName', which this route does not take; it takes clientName.")]
    [InlineData("PUT", "/tasks/x/user-tasks/y/assignee", "{\"assignee\": \"ann\"}", "assignee", "The request body holds the property 'assignee', which this route does not take; it takes userId.")]
    [InlineData("POST", "/workflows/x/execute", "{\"input\": {}, \"workflowVersion\": \"one\"}", "workflowVersion", "'workflowVersion' must be a whole number within range, given once.")]
    [InlineData("PATCH", "/tasks/x", "{\"dueDate\": \"tomorrow\"}", "dueDate", "'dueDate' must be a date and time in ISO 8601 form (for example 2024-01-31T12:00:00Z), given once.")]
    [InlineData("PATCH", "/tasks/x", "{\"name\": tru}", "name", "The request body is not valid at 'name': check the syntax at line 1, position ")]
    [InlineData("PATCH", "/tasks/x", "{\"name\": \"x\",", "body", "The request body is not valid JSON: check the syntax at line 1, position ")]
    [InlineData("POST", "/client-apps", "[]", "body", "The request body must be a JSON object of this route's form.")]
    [InlineData("POST", "/events/mapping", "{\"eventKey\": \"k\", \"workflowKey\": \"w\", \"createdBy\": \"a\", \"createdBy\": \"b\"}", "body", "The request body must be a JSON object of this route's form that gives each property once.")]
    [InlineData("POST", "/events/trigger", "{\"key\": \"a\", \"key\": \"b\", \"payload\": {}}", "key", "'key' must be a string, given once.")]
    [InlineData("POST", "/events/trigger", "{\"key\": \"a\", \"payload\": {\"x\": {\"y\": 1, \"y\": 2}}}", "payload", "'payload' holds a property name twice in one object; give each property once.")]
    public async Task AnUnreadableBodyIsDescribedFromWhereTheReaderStoppedAndTheRoutesBodyType(string method, string url, string body, string field, string detail)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);

        var problem = await (await client.SendAsync(method, url, body)).AssertBadRequestNamingAsync(field);

        var text = problem.GetProperty("detail").GetString()!;
        Assert.True(text.StartsWith(detail, StringComparison.Ordinal), text);
    }

    [Theory]
    [InlineData("description", "'description' holds bytes that are not UTF-8; send the request body encoded as UTF-8.")]
    [InlineData("payload", "'payload.note' holds bytes that are not UTF-8; send the request body encoded as UTF-8.")]
    public async Task TextThatIsNotUtf8Is400SayingSoAndRecordsNothing(string field, string detail)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var key = $"latin1-{Guid.NewGuid():N}";

        // "café" as Latin-1 sends 0xE9 for 'é', a byte that begins no UTF-8 sequence here.
        byte[] text = [.. "\"caf"u8, 0xE9, .. "\""u8];
        byte[] body = field == "description"
            ? [.. Encoding.UTF8.GetBytes($"{{\"key\": \"{key}\", \"payload\": {{}}, \"description\": "), .. text, .. "}"u8]
            : [.. Encoding.UTF8.GetBytes($"{{\"key\": \"{key}\", \"payload\": {{\"note\": "), .. text, .. "}}"u8];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/trigger") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var problem = await (await client.SendAsync(request)).AssertBadRequestNamingAsync(field);

        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        var count = await client.GetFromJsonAsync<JsonElement>($"/events/count?where={Uri.EscapeDataString($"{{\"key\": \"{key}\"}}")}");
        Assert.Equal(0, count.GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("gzip", true)]
    [InlineData("br", false)]
    [InlineData("identity, gzip", true)]
    public async Task ACompressedBodyIs415NamingTheCodingAndRecordsNothing(string coding, bool compressed)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var key = $"coded-{Guid.NewGuid():N}";
        var json = Encoding.UTF8.GetBytes($"{{\"key\": \"{key}\", \"payload\": {{}}}}");
        using var packed = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(json);
        }

        // Without the check a gzip body was a 400 "not valid JSON", and a header naming a coding the body did not use was ignored.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/trigger") { Content = new ByteArrayContent(compressed ? packed.ToArray() : json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        Assert.True(request.Content.Headers.TryAddWithoutValidation("Content-Encoding", coding));

        var response = await client.SendAsync(request);

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains($"'Content-Encoding: {coding}'", problem.GetProperty("detail").GetString());
        Assert.Equal("identity", Assert.Single(response.Headers.GetValues("Accept-Encoding")));
        var count = await client.GetFromJsonAsync<JsonElement>($"/events/count?where={Uri.EscapeDataString($"{{\"key\": \"{key}\"}}")}");
        Assert.Equal(0, count.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task AnIdentityContentCodingIsNoCodingAtAll()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/trigger") { Content = JsonContent.Create(new { key = "coded.identity" }) };
        request.Content.Headers.ContentEncoding.Add("identity");

        await (await factory.CreateClient(TestWorkflows.AllPermissions).SendAsync(request)).AssertStatusAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task ACascadeThatIsNotTrueOrFalseIs400NamingTheValue()
    {
        var problem = await (await factory.CreateAdminClient().DeleteAsync("/tasks/x?cascade=maybe")).AssertBadRequestNamingAsync("cascade");

        Assert.Equal("The parameter 'cascade' must be true or false, not 'maybe'.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnEmptyCascadeIs400AndDeletesNothing()
    {
        // Taken as absent, an empty cascade would delete the task's user tasks by default: what 'cascade=false' meant to prevent.
        var client = factory.CreateAdminClient();
        var taskId = (await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("cascade"), name = "has user tasks" }))[0];
        await factory.AddUserTasksAsync(taskId, "first");

        var problem = await (await client.DeleteAsync($"/tasks/{taskId}?cascade=")).AssertBadRequestNamingAsync("cascade");

        Assert.Equal("The parameter 'cascade' is empty; give true or false, or leave it out.", problem.GetProperty("detail").GetString());
        await (await client.GetAsync($"/tasks/{taskId}")).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(1, await factory.StoredUserTaskCountAsync(taskId));
    }

    [Fact]
    public async Task AQueryParameterTheRouteDoesNotReadIs400AndDeletesNothing()
    {
        var client = factory.CreateAdminClient();
        var taskId = (await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("query"), name = "has user tasks" }))[0];
        await factory.AddUserTasksAsync(taskId, "first", "second");

        // The bracket form of a parameter the route does not read is as unknown as the parameter itself.
        var response = await client.DeleteAsync($"/tasks/{taskId}/user-tasks?filter[where][name]=nomatch");
        var problem = await response.AssertBadRequestNamingAsync("filter[where][name]");
        Assert.Contains("not understood", problem.GetProperty("detail").GetString());
        Assert.Equal(2, await factory.StoredUserTaskCountAsync(taskId));

        // The case the hostile probe found: the bracket form is read, so a where that matches nothing deletes nothing.
        response = await client.DeleteAsync($"/tasks/{taskId}/user-tasks?where[name]=nomatch");
        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(2, await factory.StoredUserTaskCountAsync(taskId));

        // where[...] and where=... together are refused rather than one of them ignored.
        response = await client.DeleteAsync($"/tasks/{taskId}/user-tasks?where[name]=first&where={Uri.EscapeDataString("{}")}");
        await response.AssertBadRequestNamingAsync("where");
        Assert.Equal(2, await factory.StoredUserTaskCountAsync(taskId));

        response = await client.DeleteAsync($"/tasks/{taskId}/user-tasks?wehre={Uri.EscapeDataString("{\"name\":\"first\"}")}");
        await response.AssertBadRequestNamingAsync("wehre");
        response = await client.DeleteAsync($"/tasks/{taskId}/user-tasks?where={Uri.EscapeDataString("{}")}&where={Uri.EscapeDataString("{\"name\":\"x\"}")}");
        await response.AssertBadRequestNamingAsync("where");
        Assert.Equal(2, await factory.StoredUserTaskCountAsync(taskId));

        response = await client.GetAsync($"/tasks/{taskId}?verbose=true");
        await response.AssertBadRequestNamingAsync("verbose");
    }

    [Theory]
    [InlineData("GET", "/tasks?filter={}&filter={\"limit\":1}", "filter")]
    [InlineData("GET", "/tasks?filter[limit]=1&filter[limit]=2", "filter")]
    [InlineData("GET", "/tasks/count?where={}&where={}", "where")]
    [InlineData("GET", "/user-tasks/mine?filter={}&filter={}", "filter")]
    [InlineData("GET", "/workflows/x?filter={}&filter={}", "filter")]
    [InlineData("GET", "/workflow-instances?filter={}&filter={}", "filter")]
    [InlineData("GET", "/webhooks?filter={}&filter={}", "filter")]
    [InlineData("PATCH", "/tasks?where={}&where={\"name\":\"x\"}", "where")]
    [InlineData("DELETE", "/tasks/x?cascade=false&cascade=true", "cascade")]
    [InlineData("POST", "/client-apps/x/rotate-secret?overlapSeconds=0&overlapSeconds=60", "overlapSeconds")]
    public async Task AQueryParameterGivenTwiceIs400NamingItOnEveryRoute(string method, string url, string parameter)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);

        var response = await client.SendAsync(method, url, method == "PATCH" ? """{"name": "renamed"}""" : null);

        var problem = await response.AssertBadRequestNamingAsync(parameter);
        Assert.DoesNotContain("System.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AFilterLongerThanTheLimitIs400()
    {
        var client = factory.CreateAdminClient();
        var ids = Enumerable.Range(0, 2000).Select(i => $"id-{i:D6}").ToArray();
        var response = await client.GetAsync($"/tasks?{JsonApi.Filter(new { where = new { id = new { inq = ids } } })}");
        var problem = await response.AssertBadRequestNamingAsync("filter");
        Assert.Contains("TaskService:Limits", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task WrongJsonTypesAreNamed()
    {
        var client = factory.CreateAdminClient();
        var problem = await (await client.SendAsync("POST", "/events/trigger", "{\"key\":\"k\",\"payload\":[1,2]}")).AssertBadRequestNamingAsync("payload");
        Assert.Contains("object", problem.GetProperty("detail").GetString());
        await (await client.SendAsync("POST", "/client-apps", "{\"clientName\": {\"a\":1}}")).AssertBadRequestNamingAsync("clientName");
        await (await client.SendAsync("POST", "/client-apps", "[]")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await client.SendAsync("POST", "/client-apps", "null")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
