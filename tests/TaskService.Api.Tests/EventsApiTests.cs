using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Apis;

namespace TaskService.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class EventsApiTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task TriggeringTheSameIdempotencyKeyTwiceRecordsOneEvent()
    {
        var client = factory.CreateAdminClient();
        var key = $"order.created.{Guid.NewGuid():N}";
        var id = Guid.NewGuid().ToString();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/events/trigger")
            {
                Content = JsonContent.Create(new { key, payload = new { attempt = 0 }, source = "shop", description = "created" }),
            };
            request.Headers.Add("Idempotency-Key", id);
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var other = await client.PostAsJsonAsync("/events/trigger", new { key, payload = new { attempt = 9 }, source = "shop", description = "other" });
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);

        var where = Uri.EscapeDataString(JsonSerializer.Serialize(new { key }));
        await Eventually.ReturnsAsync(
            async () => (await client.GetFromJsonAsync<JsonElement>($"/events/count?where={where}")).GetProperty("count").GetInt64(),
            count => count == 2,
            because: "two distinct event ids were triggered");

        var recorded = await client.GetFromJsonAsync<JsonElement>($"/events/{id}");
        Assert.Equal(0, recorded.GetProperty("payload").GetProperty("attempt").GetInt32());
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>($"/events/count?where={where}")).GetProperty("count").GetInt64());
    }

    [Theory]
    [InlineData("Idempotency-Key", "key")]
    [InlineData("Idempotency-Key", "payload")]
    [InlineData("x-request-id", "description")]
    [InlineData("id", "source")]
    public async Task AnIdUsedBeforeForOtherContentIs422AndTheRecordedEventStaysAsItWas(string idFrom, string changed)
    {
        var client = factory.CreateAdminClient();
        var key = $"order.created.{Guid.NewGuid():N}";
        var id = Guid.NewGuid().ToString();
        object Body(bool first) => new
        {
            id = idFrom == "id" ? id : null,
            key = first || changed != "key" ? key : key + ".other",
            payload = new { total = first || changed != "payload" ? 10 : 11 },
            source = first || changed != "source" ? "shop" : "till",
            description = first || changed != "description" ? "created" : "changed",
        };
        async Task<HttpResponseMessage> SendAsync(bool first)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/events/trigger") { Content = JsonContent.Create(Body(first)) };
            if (idFrom != "id")
            {
                request.Headers.Add(idFrom, id);
            }

            return await client.SendAsync(request);
        }

        await (await SendAsync(first: true)).AssertStatusAsync(HttpStatusCode.Accepted);
        var problem = await (await SendAsync(first: false)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains($"'{idFrom}' gives the id '{id}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty(idFrom, out _), problem.ToString());
        var recorded = await client.GetFromJsonAsync<JsonElement>($"/events/{id}");
        Assert.Equal(key, recorded.GetProperty("key").GetString());
        Assert.Equal(10, recorded.GetProperty("payload").GetProperty("total").GetInt32());
        Assert.Equal("shop", recorded.GetProperty("source").GetString());
        Assert.Equal("created", recorded.GetProperty("description").GetString());

        // The first event sent again, as a retry sends it, is still the same event.
        await (await SendAsync(first: true)).AssertStatusAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task AnEventWhoseIdHoldsSlashesIsReadBackWithThemPercentEncoded()
    {
        var client = factory.CreateAdminClient();
        var id = $"orders/{Guid.NewGuid():N}/created";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/trigger")
        {
            Content = JsonContent.Create(new { key = "order.created", payload = new { } }),
        };
        request.Headers.Add("Idempotency-Key", id);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(request)).StatusCode);

        var recorded = await client.GetFromJsonAsync<JsonElement>($"/events/{Uri.EscapeDataString(id)}");

        Assert.Equal(id, recorded.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("/events", "an event has no relations to include")]
    [InlineData("/events/mapping", "an event mapping has no relations to include")]
    [InlineData("/tasks", "a task includes userTasks")]
    public async Task AnUnknownIncludeIs400NamingTheEntityWithItsArticle(string path, string expected)
    {
        var response = await factory.CreateAdminClient().GetAsync($"{path}?{JsonApi.Filter(new { include = new[] { "nothing" } })}");

        var problem = await response.AssertBadRequestNamingAsync("filter");
        Assert.Equal($"Unknown relation 'nothing' in 'include': {expected}.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TriggerWithoutTokenIs401AndWithoutPermissionIs403()
    {
        var anonymous = factory.CreateAnonymousClient();
        var response = await anonymous.PostAsJsonAsync("/events/trigger", new { key = "k", payload = new { } });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var viewer = factory.CreateClient(Permissions.ViewEvent);
        response = await viewer.PostAsJsonAsync("/events/trigger", new { key = "k", payload = new { } });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TriggerWithoutKeyIs400NamingTheField()
    {
        var client = factory.CreateAdminClient();
        var response = await client.PostAsJsonAsync("/events/trigger", new { payload = new { a = 1 } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("key", out _), problem.ToString());
    }

    [Fact]
    public async Task TriggerAnswers202WithTheIdAndKeyAndRecordsTheEvent()
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("order.created");
        var id = TaskSeeding.NewKey("event");

        var response = await client.PostJsonAsync("/events/trigger", new { key, id, payload = new { orderId = 7, lines = new[] { "a", "b" } }, source = "shop", description = "created" });

        var accepted = await response.ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(id, accepted.GetProperty("id").GetString());
        Assert.Equal(key, accepted.GetProperty("key").GetString());
        Assert.Equal($"/events/{id}", response.Headers.Location?.OriginalString);
        var recorded = await Eventually.ReturnsAsync(
            () => client.GetAsync($"/events/{id}"),
            r => r.StatusCode == HttpStatusCode.OK,
            because: "the event goes through the event stream before it is recorded");
        var stored = await recorded.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(key, stored.GetProperty("key").GetString());
        Assert.Equal("shop", stored.GetProperty("source").GetString());
        Assert.Equal("created", stored.GetProperty("description").GetString());
        Assert.Equal(7, stored.GetProperty("payload").GetProperty("orderId").GetInt32());
        Assert.Equal(["a", "b"], stored.GetProperty("payload").GetProperty("lines").EnumerateArray().Select(l => l.GetString()));
        Assert.InRange(
            stored.GetProperty("timestamp").GetInt64(),
            DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(),
            DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task TriggerTakesTheIdFromIdempotencyKeyThenRequestIdThenTheBody()
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("ids");
        var (idempotencyKey, requestId, bodyId) = (TaskSeeding.NewKey("idem"), TaskSeeding.NewKey("req"), TaskSeeding.NewKey("body"));

        async Task<string> TriggerAsync(string? idempotency, string? request)
        {
            var message = JsonApi.Request("POST", "/events/trigger", JsonSerializer.Serialize(new { key, id = bodyId, payload = new { } }));
            if (idempotency is not null)
            {
                message.Headers.Add(EventsApi.IdempotencyKeyHeader, idempotency);
            }

            if (request is not null)
            {
                message.Headers.Add(EventsApi.RequestIdHeader, request);
            }

            return (await (await client.SendAsync(message)).ReadJsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
        }

        Assert.Equal(idempotencyKey, await TriggerAsync(idempotencyKey, requestId));
        Assert.Equal(requestId, await TriggerAsync(null, requestId));
        Assert.Equal(bodyId, await TriggerAsync(null, null));
    }

    [Theory]
    [InlineData(EventsApi.IdempotencyKeyHeader)]
    [InlineData(EventsApi.RequestIdHeader)]
    public async Task TriggerWithAnIdHeaderGivenTwiceIs400NamingTheHeaderAndRecordsNothing(string header)
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("two-ids");
        var message = JsonApi.Request("POST", "/events/trigger", JsonSerializer.Serialize(new { key, payload = new { } }));
        message.Headers.Add(header, [TaskSeeding.NewKey("first"), TaskSeeding.NewKey("second")]);

        var problem = await (await client.SendAsync(message)).AssertBadRequestNamingAsync(header);

        Assert.Equal($"The header '{header}' is given 2 times; give it once.", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await client.CountAsync($"/events/count?{JsonApi.Where(new { key })}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task TriggerWithABlankIdInTheBodyIs400NamingItAndRecordsNothing(string id)
    {
        // Taken as no id, the event would get a new one, and the client's retry of the same request a second event.
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("blank-body-id");

        var problem = await (await client.PostJsonAsync("/events/trigger", new { key, id, payload = new { } })).AssertBadRequestNamingAsync("id");

        Assert.Equal("'id' is blank; give the event's id, or leave the property out.", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await client.CountAsync($"/events/count?{JsonApi.Where(new { key })}"));
    }

    [Theory]
    [InlineData(EventsApi.IdempotencyKeyHeader, " ")]
    [InlineData(EventsApi.IdempotencyKeyHeader, "   ")]
    [InlineData(EventsApi.RequestIdHeader, " ")]
    public async Task TriggerWithABlankIdHeaderIs400NamingTheHeaderAndRecordsNothing(string header, string value)
    {
        // Taken as no id, the event would get a new one, and the client's retry of the same request a second event. (The test
        // server leaves a header with an empty value out of the request; Kestrel passes it on, and it is refused the same way.)
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("blank-id");
        var message = JsonApi.Request("POST", "/events/trigger", JsonSerializer.Serialize(new { key, id = TaskSeeding.NewKey("body-id"), payload = new { } }));
        message.Headers.TryAddWithoutValidation(header, value);

        var problem = await (await client.SendAsync(message)).AssertBadRequestNamingAsync(header);

        Assert.Equal($"The header '{header}' is blank; give the event's id, or leave the header out.", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await client.CountAsync($"/events/count?{JsonApi.Where(new { key })}"));
    }

    [Fact]
    public async Task TriggerWithoutAnyIdGeneratesADistinctIdEachTime()
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("generated");

        var first = await (await client.PostJsonAsync("/events/trigger", new { key, payload = new { } })).ReadJsonAsync(HttpStatusCode.Accepted);
        var second = await (await client.PostJsonAsync("/events/trigger", new { key, payload = new { } })).ReadJsonAsync(HttpStatusCode.Accepted);

        Assert.False(string.IsNullOrWhiteSpace(first.GetProperty("id").GetString()));
        Assert.NotEqual(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        await Eventually.ReturnsAsync(
            () => client.CountAsync($"/events/count?{JsonApi.Where(new { key })}"),
            count => count == 2,
            because: "two events without ids are two events");
    }

    [Fact]
    public async Task TriggerWithoutPayloadRecordsAnEmptyObject()
    {
        var client = factory.CreateAdminClient();
        var id = TaskSeeding.NewKey("no-payload");

        await (await client.PostJsonAsync("/events/trigger", new { key = TaskSeeding.NewKey("k"), id })).AssertStatusAsync(HttpStatusCode.Accepted);

        var stored = await Eventually.ReturnsAsync(() => client.GetAsync($"/events/{id}"), r => r.StatusCode == HttpStatusCode.OK);
        var payload = (await stored.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("payload");
        Assert.Equal(JsonValueKind.Object, payload.ValueKind);
        Assert.Empty(payload.EnumerateObject());
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("\"text\"")]
    [InlineData("5")]
    [InlineData("true")]
    public async Task TriggerWithAPayloadThatIsNotAnObjectIs400NamingPayload(string payload)
    {
        var response = await factory.CreateAdminClient().SendAsync("POST", "/events/trigger", $$"""{"key": "k", "payload": {{payload}}}""");

        await response.AssertBadRequestNamingAsync("payload");
    }

    [Fact]
    public async Task TriggerWithALoneSurrogateInThePayloadIsRecordedOrRefused()
    {
        // A 202 promises the event is recorded. "\ud800" is valid JSON text; it must either be recorded or refused as a 400,
        // never accepted and then lost.
        var client = factory.CreateAdminClient();
        var id = TaskSeeding.NewKey("surrogate");

        var response = await client.SendAsync("POST", "/events/trigger", $$$"""{"key": "k", "id": "{{{id}}}", "payload": {"text": "\ud800"}}""");

        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            await response.AssertBadRequestNamingAsync("payload");
            return;
        }

        await response.AssertStatusAsync(HttpStatusCode.Accepted);
        await Eventually.ReturnsAsync(
            () => client.GetAsync($"/events/{id}"),
            r => r.StatusCode == HttpStatusCode.OK,
            timeout: TimeSpan.FromSeconds(3),
            because: "an accepted event is recorded");
    }

    [Fact]
    public async Task TriggerWithAnIdLongerThan200CharactersIs400NamingId()
    {
        var response = await factory.CreateAdminClient().PostJsonAsync("/events/trigger", new { key = "k", id = new string('x', 201), payload = new { } });

        await response.AssertBadRequestNamingAsync("id");
    }

    [Theory]
    [InlineData("""{"key": "k", "payload": {}, "keyy": 1}""", "keyy")]
    [InlineData("""{"key": 5, "payload": {}}""", "key")]
    [InlineData("not json", "body")]
    [InlineData("", "body")]
    [InlineData("{}", "key")]
    [InlineData("""{"key": "   "}""", "key")]
    public async Task TriggerWithABadBodyIs400NamingTheField(string body, string field)
    {
        var response = await factory.CreateAdminClient().SendAsync("POST", "/events/trigger", body);

        await response.AssertBadRequestNamingAsync(field);
    }

    [Fact]
    public async Task TokensSignedWithAnotherSecretOrIssuedByAnotherIssuerAre401()
    {
        var codes = Permissions.All.ToArray();
        var otherSecret = TestToken.Signed(new JwtOptions { JwtSecret = "another-secret-that-is-at-least-32-bytes-long!", JwtIssuer = TaskServiceApiFactory.Issuer })
            .With(codes).Build();
        var otherIssuer = TestToken.Signed(new JwtOptions { JwtSecret = TaskServiceApiFactory.Secret, JwtIssuer = "someone-else" }).With(codes).Build();

        foreach (var token in new[] { otherSecret, otherIssuer, "not-a-jwt" })
        {
            var client = factory.CreateAnonymousClient();
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var response = await client.GetAsync("/events");
            await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task GettingAnUnknownEventIs404()
    {
        var response = await factory.CreateClient(Permissions.ViewEvent).GetAsync($"/events/{TaskSeeding.NewKey("missing")}");

        await response.AssertNotFoundAsync();
    }

    [Fact]
    public async Task GettingAnEventWithFieldsReturnsOnlyThoseFieldsAndRefusesAWhere()
    {
        var client = factory.CreateAdminClient();
        var id = await TriggerAndWaitAsync(client, TaskSeeding.NewKey("fields"), new { n = 1 });

        var projected = await client.GetJsonAsync($"/events/{id}?{JsonApi.Filter(new { fields = new[] { "id", "key" } })}");
        Assert.Equal(["id", "key"], projected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var withWhere = await client.GetAsync($"/events/{id}?{JsonApi.Filter(new { where = new { key = "x" } })}");
        await withWhere.AssertBadRequestNamingAsync("filter");
    }

    [Fact]
    public async Task ListingEventsHonoursWhereOrderLimitSkipAndFields()
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("list");
        var e1 = await TriggerAndWaitAsync(client, key, new { n = 1, tag = "a" }, $"{key}-1");
        var e2 = await TriggerAndWaitAsync(client, key, new { n = 2, tag = "b" }, $"{key}-2");
        var e3 = await TriggerAndWaitAsync(client, key, new { n = 3, tag = "a" }, $"{key}-3");

        async Task<string[]> IdsAsync(object filter) => (await client.GetJsonAsync($"/events?{JsonApi.Filter(filter)}")).Values("id");

        Assert.Equal([e1, e2, e3], (await IdsAsync(new { where = new { key }, order = "id ASC" })));
        Assert.Equal([e2, e3], (await IdsAsync(new { where = new Dictionary<string, object> { ["key"] = key, ["payload.n"] = new { gt = 1 } }, order = "id ASC" })));
        Assert.Equal([e2], (await IdsAsync(new { where = new Dictionary<string, object> { ["key"] = key, ["payload.tag"] = new { neq = "a" } } })));
        Assert.Equal([e1, e3], (await IdsAsync(new { where = new { id = new { inq = new[] { e1, e3, "no-such-event" } } }, order = "id ASC" })));
        Assert.Equal([e1, e2], (await IdsAsync(new { where = new { or = new object[] { new { id = e1 }, new Dictionary<string, object> { ["key"] = key, ["payload.tag"] = "b" } } }, order = "id ASC" })));
        Assert.Equal([e3, e2], (await IdsAsync(new { where = new { key }, order = "id DESC", limit = 2 })));
        Assert.Equal([e2], (await IdsAsync(new { where = new { key }, order = new[] { "id ASC" }, skip = 1, limit = 1 })));

        var projected = await client.GetJsonAsync($"/events?{JsonApi.Filter(new { where = new { key }, fields = new[] { "id", "payload" } })}");
        Assert.Equal(3, projected.GetArrayLength());
        Assert.All(projected.EnumerateArray(), e => Assert.Equal(["id", "payload"], e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)));

        Assert.Equal(2, await client.CountAsync($"/events/count?{JsonApi.Where(new Dictionary<string, object> { ["key"] = key, ["payload.tag"] = "a" })}"));
        Assert.Equal(3, await client.CountAsync($"/events/count?{JsonApi.Where(new { key = new { like = $"{key}%" } })}"));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"where": {"nope": 1}}""")]
    [InlineData("""{"where": {"key": {"regexp": "x"}}}""")]
    [InlineData("""{"bogus": 1}""")]
    [InlineData("""{"limit": -1}""")]
    [InlineData("""{"order": "nope DESC"}""")]
    [InlineData("""{"fields": ["nope"]}""")]
    [InlineData("[]")]
    public async Task ListingEventsWithABadFilterIs400NamingFilter(string filter)
    {
        var response = await factory.CreateClient(Permissions.ViewEvent).GetAsync($"/events?{JsonApi.Filter(filter)}");

        await response.AssertBadRequestNamingAsync("filter");
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"nope": 1}""")]
    [InlineData("""{"key": {"regexp": "x"}}""")]
    [InlineData("""{"timestamp": {"like": "1%"}}""")]
    [InlineData("""{"or": []}""")]
    public async Task CountingEventsWithABadWhereIs400NamingWhere(string where)
    {
        var response = await factory.CreateClient(Permissions.ViewEvent).GetAsync($"/events/count?{JsonApi.Where(where)}");

        await response.AssertBadRequestNamingAsync("where");
    }

    [Theory]
    [InlineData("POST", "/events/trigger", Permissions.TriggerEvent, """{"key": "{key}", "payload": {}}""")]
    [InlineData("GET", "/events", Permissions.ViewEvent, null)]
    [InlineData("GET", "/events/count", Permissions.ViewEvent, null)]
    [InlineData("GET", "/events/{key}", Permissions.ViewEvent, null)]
    public async Task EventEndpointsNeedTheirPermission(string method, string path, string code, string? body) =>
        await PermissionChecks.AssertRequiresAsync(factory, code, PermissionChecks.Row(method, path, body));

    /// <summary>Triggers an event and waits until it is recorded; returns its id.</summary>
    private static async Task<string> TriggerAndWaitAsync(HttpClient client, string key, object payload, string? id = null)
    {
        id ??= TaskSeeding.NewKey("event");
        await (await client.PostJsonAsync("/events/trigger", new { key, id, payload })).AssertStatusAsync(HttpStatusCode.Accepted);
        await Eventually.ReturnsAsync(() => client.GetAsync($"/events/{id}"), r => r.StatusCode == HttpStatusCode.OK, because: $"event {id} is recorded");
        return id;
    }
}
