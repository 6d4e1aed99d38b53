using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit.Abstractions;

namespace TaskService.Api.Tests.Hardening;

/// <summary>
/// A generated suite of malformed and abusive requests against every route the service maps (read from its endpoint table, so a
/// new route is covered without editing this file): odd path ids, query parameters in every wrong form, bodies with every field
/// of the wrong type, size or Unicode, and broken credentials. No answer may be a 5xx or take more than 2 s (timed alone when it was
/// slow among the others), and afterwards the
/// service must still route events to workflows, with its memory within a bound.
/// </summary>
[Collection(HostileInputCollection.Name)]
public sealed class HostileInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>How much the managed heap may grow from before the service starts to after the suite.</summary>
    private const int MaxManagedHeapGrowthMegabytes = 600;
    private static readonly TimeSpan MaxAnswerTime = TimeSpan.FromSeconds(2);

    private readonly TaskServiceApiFactory _factory = new()
    {
        Overrides = { ["TaskService:RateLimits:Enabled"] = "false" },
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task NoMalformedOrAbusiveRequestGetsA5xxOrStallsAndTheServiceKeepsRoutingEvents()
    {
        // Other test classes' services stay in this process while this suite runs alone; its bound is on the growth it causes.
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true) / (1024 * 1024);
        var admin = _factory.CreateClient(TestWorkflows.AllPermissions);
        var cases = Cases(Endpoints()).ToList();
        Assert.True(cases.Count >= 1000, $"Only {cases.Count} cases were generated.");

        var failures = new ConcurrentBag<string>();
        var slow = new ConcurrentBag<HostileCase>();
        var statuses = new ConcurrentDictionary<int, int>();
        var slowest = TimeSpan.Zero;
        var gate = new object();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (@case, _) =>
        {
            using var request = @case.Build();
            var watch = Stopwatch.StartNew();
            HttpResponseMessage response;
            try
            {
                response = await (@case.Client ?? admin).SendAsync(request);
            }
            catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException)
            {
                // The in-process test server refuses some requests (a NUL in the path) before the application sees them, as
                // Kestrel answers them with 400: not the service's doing.
                statuses.AddOrUpdate(0, 1, (_, n) => n + 1);
                return;
            }

            watch.Stop();
            lock (gate)
            {
                slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
            }

            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            var body = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{@case.Name}: {(int)response.StatusCode} {Truncate(body)}");
            }
            else if (watch.Elapsed > MaxAnswerTime)
            {
                // Timed again alone below: four requests at once on a busy machine can take this long without stalling.
                slow.Add(@case);
            }
            else if (body.Contains(".cs:line", StringComparison.Ordinal) || body.Contains("   at ", StringComparison.Ordinal))
            {
                failures.Add($"{@case.Name}: the answer carries a stack trace: {Truncate(body)}");
            }
        });

        // A request that stalls stalls again when it is the only one; one that only waited behind the others does not.
        foreach (var @case in slow)
        {
            using var request = @case.Build();
            var watch = Stopwatch.StartNew();
            using var response = await (@case.Client ?? admin).SendAsync(request);
            await response.Content.ReadAsStringAsync();
            if (watch.Elapsed > MaxAnswerTime)
            {
                failures.Add($"{@case.Name}: took {watch.Elapsed.TotalMilliseconds:F0} ms, also when sent alone");
            }
        }

        output.WriteLine($"{slow.Count} answers took over {MaxAnswerTime.TotalSeconds:F0} s among the others and were timed again alone");
        output.WriteLine($"{cases.Count} requests; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}x{s.Value}"))}; slowest {slowest.TotalMilliseconds:F0} ms");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Count} requests failed:\n{string.Join('\n', failures.Take(40))}");

        await TheServiceStillRoutesEventsAsync(admin);

        var heap = GC.GetTotalMemory(forceFullCollection: true) / (1024 * 1024);
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024);
        output.WriteLine($"managed heap {heapBefore} MB before the service started, {heap} MB after the suite; peak working set of the test process {peak} MB");
        Assert.True(heap - heapBefore < MaxManagedHeapGrowthMegabytes, $"The managed heap grew by {heap - heapBefore} MB ({heapBefore} MB to {heap} MB) over the suite.");
    }

    private static async Task TheServiceStillRoutesEventsAsync(HttpClient client)
    {
        var (bpmn, processId) = TestWorkflows.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
        await client.DeployAsync(bpmn);
        var eventKey = TaskSeeding.NewKey("after-hostile");
        var taskKey = TaskSeeding.NewKey("after-hostile-task");
        (await client.PostJsonAsync("/events/mapping", new { eventKey, workflowKey = processId })).EnsureSuccessStatusCode();
        var trigger = await client.PostJsonAsync("/events/trigger", new { key = eventKey, payload = new { tasks = new { values = new[] { new { key = taskKey, name = "still routed" } } } } });
        await trigger.AssertStatusAsync(HttpStatusCode.Accepted);
        await Eventually.ReturnsAsync(() => client.CountAsync($"/tasks/count?{JsonApi.Where(new { key = taskKey })}"), n => n == 1, because: "an event triggered after the hostile requests starts its workflow, which creates its task");
    }

    private IReadOnlyList<(string Method, string Pattern, Type? BodyType)> Endpoints()
    {
        _ = _factory.CreateAnonymousClient();
        var source = _factory.Services.GetRequiredService<EndpointDataSource>();
        var endpoints = new List<(string, string, Type?)>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var body = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                endpoints.Add((method, "/" + endpoint.RoutePattern.RawText!.TrimStart('/'), body));
            }
        }

        Assert.True(endpoints.Count >= 30, $"Only {endpoints.Count} endpoints were found.");
        return endpoints;
    }

    private IEnumerable<HostileCase> Cases(IReadOnlyList<(string Method, string Pattern, Type? BodyType)> endpoints)
    {
        foreach (var (method, pattern, bodyType) in endpoints)
        {
            var validBody = bodyType is null ? null : ValidBody(bodyType);

            // Every path parameter in every odd form, the others valid-looking.
            foreach (var id in PathValues)
            {
                yield return new HostileCase($"{method} {pattern} id={id}", method, Fill(pattern, id), validBody);
            }

            foreach (var query in QueryValues)
            {
                yield return new HostileCase($"{method} {pattern}?{query}", method, Fill(pattern, "q-" + Guid.NewGuid().ToString("N")) + "?" + query, validBody);
            }

            var url = Fill(pattern, "b-" + Guid.NewGuid().ToString("N"));
            foreach (var (name, raw, contentType) in RawBodies)
            {
                yield return new HostileCase($"{method} {pattern} body {name}", method, url, raw, contentType);
            }

            if (bodyType is not null)
            {
                foreach (var property in bodyType.GetProperties())
                {
                    var field = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                    foreach (var (name, value) in FieldValues)
                    {
                        yield return new HostileCase($"{method} {pattern} {field}={name}", method, url, WithField(validBody!, field, value));
                    }
                }
            }

            foreach (var (name, client) in Credentials())
            {
                yield return new HostileCase($"{method} {pattern} credentials {name}", method, url, validBody, Client: client);
            }
        }
    }

    /// <summary>The body with one field's JSON text replaced verbatim (so that escapes a serializer would refuse are sent as they are).</summary>
    private static string WithField(string body, string field, string json)
    {
        using var document = JsonDocument.Parse(body);
        var members = document.RootElement.EnumerateObject()
            .Where(p => p.Name != field)
            .Select(p => $"{JsonSerializer.Serialize(p.Name)}:{p.Value.GetRawText()}")
            .Append($"{JsonSerializer.Serialize(field)}:{json}");
        return "{" + string.Join(',', members) + "}";
    }

    private static string Fill(string pattern, string value) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]+\}", value);

    private static readonly string[] PathValues =
    [
        "%20", "%09", "%20%20", "a%0Ab", "a%0D%0Ab", "%E2%80%8B", "%F0%9F%98%80", "%FF%FE", "%ED%A0%80", "%C0%AF", "..", "%2E%2E", "a%2Fb", "%25",
        "%5C", "null", "undefined", "-1", "0", "99999999999999999999999", "1e400", "%3Cscript%3E", "'%3B%20DROP%20TABLE%20tasks%3B--",
        new string('x', 201), new string('y', 5000), "%7B%22a%22%3A1%7D", "%00", "~", "..%2F..%2Fetc%2Fpasswd",
    ];

    private static readonly string[] QueryValues =
    [
        "filter=%7B", "filter=%5B%5D", "filter=null", "filter=1", "filter=%22text%22",
        "filter=" + Uri.EscapeDataString("{\"where\":{\"name\":{\"regexp\":\"^(a+)+$\"}}}"),
        "filter=" + Uri.EscapeDataString("{\"where\":{\"name\":{\"like\":\"" + string.Concat(Enumerable.Repeat("%a", 200)) + "b\"}}}"),
        "filter=" + Uri.EscapeDataString("{\"where\":{\"name\":{\"ilike\":\"" + string.Concat(Enumerable.Repeat("_%", 300)) + "\"}}}"),
        "filter=" + Uri.EscapeDataString("{\"limit\":-1}"), "filter=" + Uri.EscapeDataString("{\"limit\":1e400}"),
        "filter=" + Uri.EscapeDataString("{\"skip\":99999999999999999999}"), "filter=" + Uri.EscapeDataString("{\"order\":\"name DESC; DROP TABLE tasks\"}"),
        "filter=" + Uri.EscapeDataString("{\"order\":[\"nosuchfield ASC\"]}"), "filter=" + Uri.EscapeDataString("{\"fields\":{\"secret\":true}}"),
        "filter=" + Uri.EscapeDataString("{\"include\":[\"anything\"]}"), "filter=" + Uri.EscapeDataString("{\"where\":{\"name\":\"\\ud800\"}}"),
        "filter=" + Uri.EscapeDataString("{\"where\":{\"name\":\"\\u0000\"}}"), "filter=" + Uri.EscapeDataString("{\"where\":{\"createdOn\":{\"gt\":\"not a date\"}}}"),
        "filter=" + Uri.EscapeDataString("{\"where\":{\"id\":{\"between\":[1]}}}"), "filter=" + Uri.EscapeDataString("{\"where\":{\"id\":{\"inq\":[" + string.Join(',', Enumerable.Range(0, 3000)) + "]}}}"),
        "filter=" + Uri.EscapeDataString(Nested("{\"or\":[", "]}", 200, "{\"id\":\"x\"}")), "filter=" + Uri.EscapeDataString(Nested("{\"where\":", "}", 300, "{}")),
        "where=%7B", "where=" + Uri.EscapeDataString("{\"nosuchfield\":1}"), "where=" + Uri.EscapeDataString("{\"and\":{}}"), "where=" + Uri.EscapeDataString("{\"id\":{\"eq\":{\"a\":1}}}"),
        "where=" + Uri.EscapeDataString("{\"id\":\"\\udfff\"}"), "filter[where][name]=x", "filter[limit]=5", "where[key]=x", "filter=" + Uri.EscapeDataString("{}") + "&filter=" + Uri.EscapeDataString("{}"),
        "cascade=maybe", "cascade=", "cascade=1", "permissions=" + new string('1', 5000), "hours=99999999999", "unknown=1", "%00=1", "filter=" + new string('a', 20_000),
    ];

    private static readonly (string Name, string? Raw, string? ContentType)[] RawBodies =
    [
        ("empty json", "", "application/json"), ("open brace", "{", "application/json"), ("array", "[]", "application/json"), ("null", "null", "application/json"),
        ("string", "\"text\"", "application/json"), ("number", "1", "application/json"), ("unknown property", "{\"nosuch\":1}", "application/json"),
        ("deep nesting", Nested("{\"a\":", "}", 10_000, "1"), "application/json"), ("deep arrays", new string('[', 100_000) + new string(']', 100_000), "application/json"),
        ("invalid utf-8", "{\"key\":\"\xff\xfe\"}", "application/json"), ("duplicate keys", "{\"key\":\"a\",\"key\":\"b\"}", "application/json"),
        ("huge number", "{\"key\":1e400}", "application/json"), ("form", "a=1&b=2", "application/x-www-form-urlencoded"), ("text", "hello", "text/plain"),
        ("xml", "<a/>", "application/xml"), ("no content type", "{}", null), ("json wrong charset", "{}", "application/json; charset=utf-16"),
        ("trailing garbage", "{} {}", "application/json"), ("comments", "{/* c */}", "application/json"), ("bom", "\uFEFF{}", "application/json"),
        ("one megabyte string", "{\"key\":\"" + new string('m', 1024 * 1024) + "\"}", "application/json"),
    ];

    private static readonly (string Name, string Json)[] FieldValues =
    [
        ("number", "12345"), ("negative", "-1"), ("huge number", "1e300"), ("fraction", "0.5"), ("true", "true"), ("null", "null"), ("array", "[1,\"a\",null]"),
        ("object", "{\"a\":{\"b\":[1,2]}}"), ("empty string", "\"\""), ("blank string", "\"  \\t \""), ("lone surrogate", "\"\\ud800\""),
        ("lone low surrogate in key", "{\"\\udc00\":1}"), ("nul", "\"a\\u0000b\""), ("control", "\"\\u0007\""), ("long string", JsonSerializer.Serialize(new string('l', 20_000))),
        ("300k string", JsonSerializer.Serialize(new string('h', 300_000))), ("date-like", "\"2024-13-45T99:99:99Z\""), ("emoji", "\"\\ud83d\\ude00\""),
        ("html", "\"<script>alert(1)</script>\""), ("sql", "\"'; DROP TABLE tasks;--\""), ("url loopback", "\"http://127.0.0.1:22/\""), ("url metadata", "\"http://169.254.169.254/latest\""),
        ("schema self ref", "{\"$ref\":\"#\"}"), ("schema remote ref", "{\"$ref\":\"http://example.com/schema.json\"}"), ("schema bad pattern", "{\"type\":\"string\",\"pattern\":\"(\"}"),
        ("schema evil pattern", "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"^(a+)+$\"}}}"),
        ("bpmn nested", JsonSerializer.Serialize("<definitions>" + Nested("<a>", "</a>", 50_000, string.Empty) + "</definitions>")),
        ("bpmn entity", JsonSerializer.Serialize("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><definitions>&e;</definitions>")),
    ];

    private IEnumerable<(string Name, HttpClient Client)> Credentials()
    {
        HttpClient With(string scheme, string value)
        {
            var client = _factory.CreateAnonymousClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, value);
            return client;
        }

        yield return ("none", _factory.CreateAnonymousClient());
        yield return ("garbage bearer", With("Bearer", "not-a-token"));
        yield return ("basic", With("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:admin"))));
        yield return ("alg none", With("Bearer", UnsignedToken()));
        yield return ("wrong issuer", With("Bearer", Token(issuer: "someone-else", expires: DateTime.UtcNow.AddMinutes(5))));
        yield return ("expired", With("Bearer", Token(issuer: TaskServiceApiFactory.Issuer, expires: DateTime.UtcNow.AddMinutes(-5))));
        var headers = _factory.CreateClient(TestWorkflows.AllPermissions);
        headers.DefaultRequestHeaders.Add("x-api-key", new string('k', 10_000));
        headers.DefaultRequestHeaders.Add("x-api-secret", "s");
        headers.DefaultRequestHeaders.Add("Idempotency-Key", new string('i', 5_000));
        yield return ("huge api key and idempotency key", headers);
    }

    private static string Token(string issuer, DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        NotBefore = expires.AddMinutes(-10),
        IssuedAt = expires.AddMinutes(-10),
        Expires = expires,
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TaskServiceApiFactory.Secret)), SecurityAlgorithms.HmacSha256),
        Claims = new Dictionary<string, object> { ["sub"] = "hostile", ["permissions"] = TestWorkflows.AllPermissions },
    });

    private static string UnsignedToken()
    {
        static string Part(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        return $"{Part("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{Part($"{{\"iss\":\"{TaskServiceApiFactory.Issuer}\",\"sub\":\"x\",\"permissions\":[\"16003\"]}}")}.";
    }

    private static string ValidBody(Type type) => type.Name switch
    {
        "EventTriggerRequest" => JsonSerializer.Serialize(new { key = "hostile-" + Guid.NewGuid().ToString("N"), payload = new { a = 1 }, source = "s", description = "d" }),
        "EventMappingRequest" => JsonSerializer.Serialize(new { eventKey = "hostile-event", workflowKey = "hostile-workflow" }),
        "TaskMappingRequest" => JsonSerializer.Serialize(new { taskKey = "hostile-task", workflowKey = "hostile-workflow" }),
        "ClientAppRequest" => JsonSerializer.Serialize(new { clientName = "hostile" }),
        "SubscribeRequest" => JsonSerializer.Serialize(new { url = "https://example.com/hook", key = "task-created" }),
        "TaskPatchRequest" => JsonSerializer.Serialize(new { name = "renamed" }),
        "WorkflowRequest" => JsonSerializer.Serialize(new { name = "hostile", bpmnFile = TestWorkflows.WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process").Bpmn, inputSchema = new { type = "object" } }),
        "ExecuteWorkflowRequest" => JsonSerializer.Serialize(new { input = new { } }),
        "VariablesRequest" => JsonSerializer.Serialize(new { variables = new { } }),
        "AssigneeRequest" => JsonSerializer.Serialize(new { userId = "hostile" }),
        _ => throw new InvalidOperationException($"The hostile suite has no valid body for {type.Name}; add one."),
    };

    private static string Nested(string open, string close, int depth, string inner) =>
        string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";

    private sealed record HostileCase(string Name, string Method, string Url, string? Body, string? ContentType = "application/json", HttpClient? Client = null)
    {
        public HttpRequestMessage Build()
        {
            var request = new HttpRequestMessage(new HttpMethod(Method), Url);
            if (Body is not null)
            {
                request.Content = new ByteArrayContent(Body.StartsWith("{\"key\":\"\xff", StringComparison.Ordinal) ? Latin1(Body) : Encoding.UTF8.GetBytes(Body));
                if (ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }

            return request;
        }

        private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
    }
}
