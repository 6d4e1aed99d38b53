using System.Net;
using System.Text.Json;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class TasksApiTests(TaskServiceApiFactory factory)
{
    // ---- create-tasks, as a workflow engine runs it ----

    [Fact]
    public async Task RunningCreateTasksTwiceForTheSameExternalTaskCreatesTheTasksOnce()
    {
        var client = factory.CreateClient(Permissions.ViewTask);
        var key = TaskSeeding.NewKey("once");
        var externalTaskId = Guid.NewGuid().ToString();
        var values = JsonSerializer.Serialize(new[] { new { key, name = "first" }, new { key, name = "second" } });

        var first = await factory.CreateTasksFromJsonAsync(values, externalTaskId);
        var second = await factory.CreateTasksFromJsonAsync(values, externalTaskId);

        Assert.Equal(2, first.Count);
        Assert.Equal(first, second);
        Assert.Equal(2, await client.CountAsync($"/tasks/count?{JsonApi.Where(new { key })}"));
    }

    [Theory]
    [InlineData(TaskSeeding.ValuesForm.ValuesAsString)]
    [InlineData(TaskSeeding.ValuesForm.TasksAsString)]
    public async Task CreateTasksAcceptsItsValuesAsAJsonString(TaskSeeding.ValuesForm form)
    {
        var client = factory.CreateClient(Permissions.ViewTask);
        var key = TaskSeeding.NewKey("string");
        var values = JsonSerializer.Serialize(new object[] { new { key, name = "from text", metadata = new { nested = new { n = 1 } } }, new { key, name = "second" } });

        var ids = await factory.CreateTasksFromJsonAsync(values, form: form);

        var listed = await client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key }, order = "name ASC" })}");
        Assert.Equal(["from text", "second"], listed.Values("name"));
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Values("id").Order(StringComparer.Ordinal));
        Assert.Equal(1, listed[0].GetProperty("metadata").GetProperty("nested").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task GettingATaskReturnsWhatCreateTasksWasGiven()
    {
        var key = TaskSeeding.NewKey("detail");
        var ids = await factory.CreateTasksAsync(new
        {
            key,
            name = "Review contract",
            description = "Read it all",
            priority = "high",
            severity = "major",
            type = "review",
            assigneeId = "user-1",
            notes = "call first",
            startDate = "2030-01-01T09:00:00Z",
            dueDate = "2030-01-31T17:00:00+02:00",
            metadata = new { customer = new { id = 42, tags = new[] { "vip" } } },
        });

        var task = await factory.CreateClient(Permissions.ViewTask).GetJsonAsync($"/tasks/{ids[0]}");

        Assert.Equal(ids[0], task.GetProperty("id").GetString());
        Assert.Equal(key, task.GetProperty("key").GetString());
        Assert.Equal("Review contract", task.GetProperty("name").GetString());
        Assert.Equal("Read it all", task.GetProperty("description").GetString());
        Assert.Equal("pending", task.GetProperty("status").GetString());
        Assert.Equal("high", task.GetProperty("priority").GetString());
        Assert.Equal("major", task.GetProperty("severity").GetString());
        Assert.Equal("review", task.GetProperty("type").GetString());
        Assert.Equal("user-1", task.GetProperty("assigneeId").GetString());
        Assert.Equal("call first", task.GetProperty("notes").GetString());
        Assert.Equal(DateTimeOffset.Parse("2030-01-01T09:00:00Z"), task.GetProperty("startDate").GetDateTimeOffset());
        Assert.Equal(DateTimeOffset.Parse("2030-01-31T15:00:00Z"), task.GetProperty("dueDate").GetDateTimeOffset());
        Assert.Equal(42, task.GetProperty("metadata").GetProperty("customer").GetProperty("id").GetInt32());
        Assert.InRange(task.GetProperty("createdOn").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.False(task.TryGetProperty("endDate", out _), "a new task has no end date");
    }

    [Fact]
    public async Task EndTaskCompletesTheTaskWithAnEndDate()
    {
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("end"), name = "to end" });

        await factory.EndTaskAsync(ids[0]);

        var task = await factory.CreateClient(Permissions.ViewTask).GetJsonAsync($"/tasks/{ids[0]}");
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.InRange(task.GetProperty("endDate").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    // ---- reads ----

    [Fact]
    public async Task GettingAnUnknownTaskIs404()
    {
        var response = await factory.CreateClient(Permissions.ViewTask).GetAsync($"/tasks/{Guid.NewGuid()}");

        await response.AssertNotFoundAsync();
    }

    [Fact]
    public async Task NotFoundAnswersAreProblemJson()
    {
        // The house style asks for RFC 7807 answers; a 404 raised by a grain is application/problem+json, and so must be one
        // written directly by an endpoint.
        var client = factory.CreateAdminClient();
        var fromGrain = await client.SendAsync("PATCH", $"/tasks/{Guid.NewGuid()}", """{"name": "x"}""");
        var fromEndpoint = await client.GetAsync($"/tasks/{Guid.NewGuid()}");

        await fromGrain.AssertProblemAsync(HttpStatusCode.NotFound);
        await fromEndpoint.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GettingATaskWithFieldsReturnsOnlyThoseFieldsAndRefusesAWhere()
    {
        var client = factory.CreateClient(Permissions.ViewTask);
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("fields"), name = "n", priority = "low" });

        var projected = await client.GetJsonAsync($"/tasks/{ids[0]}?{JsonApi.Filter(new { fields = new[] { "name", "priority" } })}");
        Assert.Equal(["name", "priority"], projected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var excluded = await client.GetJsonAsync($"/tasks/{ids[0]}?{JsonApi.Filter(new { fields = new { priority = false } })}");
        Assert.False(excluded.TryGetProperty("priority", out _), excluded.ToString());
        Assert.Equal("n", excluded.GetProperty("name").GetString());

        await (await client.GetAsync($"/tasks/{ids[0]}?{JsonApi.Filter(new { where = new { name = "n" } })}")).AssertBadRequestNamingAsync("filter");
    }

    [Theory]
    [InlineData("""{"priority": "high"}""", "alpha,gamma")]
    [InlineData("""{"priority": {"eq": "high"}}""", "alpha,gamma")]
    [InlineData("""{"priority": {"neq": "high"}}""", "beta,delta")]
    [InlineData("""{"key": {"inq": ["{p}-beta", "{p}-delta", "nope"]}}""", "beta,delta")]
    [InlineData("""{"key": {"nin": ["{p}-beta", "{p}-delta"]}}""", "alpha,gamma")]
    [InlineData("""{"name": {"like": "%report"}}""", "alpha,gamma")]
    [InlineData("""{"name": {"like": "_eta%"}}""", "beta")]
    [InlineData("""{"name": {"ilike": "ALPHA%"}}""", "alpha")]
    [InlineData("""{"or": [{"priority": "low"}, {"name": "Delta audit"}]}""", "beta,delta")]
    [InlineData("""{"and": [{"priority": "high"}, {"metadata.region": "eu"}, {"metadata.score": {"gt": 10}}]}""", "gamma")]
    [InlineData("""{"or": [{"and": [{"priority": "high"}, {"metadata.score": {"lt": 10}}]}, {"metadata.region": "us"}]}""", "alpha,beta")]
    [InlineData("""{"dueDate": {"gt": "2030-02-01T00:00:00Z"}}""", "beta,gamma")]
    [InlineData("""{"dueDate": {"gt": "2030-02-01"}}""", "beta,gamma")]
    [InlineData("""{"dueDate": {"lte": "2030-03-01T01:00:00+01:00"}}""", "alpha,beta")]
    [InlineData("""{"dueDate": {"between": ["2030-01-01T00:00:00Z", "2030-03-31T00:00:00Z"]}}""", "alpha,beta")]
    [InlineData("""{"dueDate": null}""", "delta")]
    [InlineData("""{"createdOn": {"gt": "2000-01-01T00:00:00Z"}}""", "alpha,beta,gamma,delta")]
    [InlineData("""{"createdOn": {"gt": "2999-01-01T00:00:00Z"}}""", "")]
    public async Task ListingAndCountingTasksHonourWhere(string where, string expected)
    {
        var client = factory.CreateClient(Permissions.ViewTask);
        var prefix = await SeedFourTasksAsync();
        var scoped = $$$"""{"and": [{"key": {"like": "{{{prefix}}}-%"}}, {{{where.Replace("{p}", prefix)}}}]}""";
        var expectedKeys = expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => $"{prefix}-{s}").Order(StringComparer.Ordinal).ToArray();

        var listed = await client.GetJsonAsync($"/tasks?{JsonApi.Filter($$"""{"where": {{scoped}}}""")}");
        var count = await client.CountAsync($"/tasks/count?{JsonApi.Where(scoped)}");

        Assert.Equal(expectedKeys, listed.Values("key").Order(StringComparer.Ordinal));
        Assert.Equal(expectedKeys.Length, count);
    }

    [Fact]
    public async Task ListingTasksHonoursOrderLimitSkipAndFields()
    {
        var client = factory.CreateClient(Permissions.ViewTask);
        var prefix = await SeedFourTasksAsync();
        var where = new { key = new { like = $"{prefix}-%" } };

        async Task<string[]> NamesAsync(object filter) => (await client.GetJsonAsync($"/tasks?{JsonApi.Filter(filter)}")).Values("name");

        Assert.Equal(["Alpha report", "Beta review", "Delta audit", "Gamma report"], await NamesAsync(new { where, order = "name ASC" }));
        Assert.Equal(["Gamma report", "Delta audit"], await NamesAsync(new { where, order = "name DESC", limit = 2 }));
        Assert.Equal(["Beta review", "Delta audit"], await NamesAsync(new { where, order = "name ASC", skip = 1, limit = 2 }));
        Assert.Equal(["Beta review", "Delta audit"], await NamesAsync(new { where, order = "name ASC", offset = 1, limit = 2 }));
        Assert.Equal(["Gamma report", "Alpha report", "Beta review", "Delta audit"], await NamesAsync(new { where, order = new[] { "priority ASC", "name DESC" } }));
        Assert.Equal(["Alpha report", "Beta review", "Gamma report", "Delta audit"], await NamesAsync(new { where, order = "dueDate ASC" }));
        var noRows = await client.GetAsync($"/tasks?{JsonApi.Filter(new { where, limit = 0 })}");
        var problem = await noRows.AssertBadRequestNamingAsync("filter");
        Assert.Equal("'limit' must be a whole number from 1 to 1000, got the number 0.", problem.GetProperty("detail").GetString());

        var projected = await client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where, fields = new[] { "key", "name" } })}");
        Assert.Equal(4, projected.GetArrayLength());
        Assert.All(projected.EnumerateArray(), t => Assert.Equal(["key", "name"], t.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"where": {"nope": 1}}""")]
    [InlineData("""{"where": {"name": {"regexp": "x"}}}""")]
    [InlineData("""{"where": {"dueDate": {"like": "2030%"}}}""")]
    [InlineData("""{"where": {"dueDate": {"gt": "next tuesday"}}}""")]
    [InlineData("""{"where": {"key": {"inq": "a"}}}""")]
    [InlineData("""{"where": {"name.first": "a"}}""")]
    [InlineData("""{"limit": 1001}""")]
    [InlineData("""{"skip": "two"}""")]
    [InlineData("""{"order": "metadata ASC"}""")]
    [InlineData("""{"include": ["subtasks"]}""")]
    [InlineData("""{"include": [{"relation": "userTasks", "scope": {"where": {"nope": 1}}}]}""")]
    public async Task ListingTasksWithABadFilterIs400NamingFilter(string filter)
    {
        var response = await factory.CreateClient(Permissions.ViewTask).GetAsync($"/tasks?{JsonApi.Filter(filter)}");

        await response.AssertBadRequestNamingAsync("filter");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"nope": 1}""")]
    [InlineData("""{"status": {"matches": "x"}}""")]
    [InlineData("""{"and": {"status": "pending"}}""")]
    [InlineData("""["status"]""")]
    public async Task CountingTasksWithABadWhereIs400NamingWhere(string where)
    {
        var response = await factory.CreateClient(Permissions.ViewTask).GetAsync($"/tasks/count?{JsonApi.Where(where)}");

        await response.AssertBadRequestNamingAsync("where");
    }

    // ---- PATCH /tasks/{id} ----

    [Fact]
    public async Task PatchingATaskChangesOnlyTheGivenFields()
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("patch");
        var ids = await factory.CreateTasksAsync(new { key, name = "before", description = "kept", priority = "low" });
        var before = await client.GetJsonAsync($"/tasks/{ids[0]}");

        var response = await client.PatchJsonAsync($"/tasks/{ids[0]}", new { name = "after", priority = "high", dueDate = "2031-05-01T00:00:00Z", metadata = new { step = 2 } });

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        var after = await client.GetJsonAsync($"/tasks/{ids[0]}");
        Assert.Equal("after", after.GetProperty("name").GetString());
        Assert.Equal("high", after.GetProperty("priority").GetString());
        Assert.Equal(DateTimeOffset.Parse("2031-05-01T00:00:00Z"), after.GetProperty("dueDate").GetDateTimeOffset());
        Assert.Equal(2, after.GetProperty("metadata").GetProperty("step").GetInt32());
        Assert.Equal("kept", after.GetProperty("description").GetString());
        Assert.Equal(key, after.GetProperty("key").GetString());
        Assert.Equal("pending", after.GetProperty("status").GetString());
        Assert.Equal(before.GetProperty("createdOn").GetDateTimeOffset(), after.GetProperty("createdOn").GetDateTimeOffset());
        Assert.True(after.GetProperty("modifiedOn").GetDateTimeOffset() >= before.GetProperty("modifiedOn").GetDateTimeOffset());
    }

    [Fact]
    public async Task PatchingAFieldWithNullClearsItAndKeepsTheOthers()
    {
        // As the original's update writes them: a field given as null is cleared (a due date removed, a task unassigned).
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("clear"), name = "clear", description = "kept", priority = "high", severity = "low", assigneeId = "u-1", notes = "n" });
        await (await client.PatchJsonAsync($"/tasks/{ids[0]}", new { dueDate = "2031-05-01T00:00:00Z", metadata = new { step = 1 } })).AssertStatusAsync(HttpStatusCode.NoContent);

        var response = await client.SendAsync("PATCH", $"/tasks/{ids[0]}",
            """{"priority": null, "dueDate": null, "assigneeId": null, "metadata": null, "notes": null, "severity": "medium"}""");

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        var task = await client.GetJsonAsync($"/tasks/{ids[0]}");
        foreach (var cleared in new[] { "priority", "dueDate", "assigneeId", "metadata", "notes" })
        {
            Assert.True(!task.TryGetProperty(cleared, out var value) || value.ValueKind == JsonValueKind.Null, $"{cleared}: {task}");
        }

        Assert.Equal("medium", task.GetProperty("severity").GetString());
        Assert.Equal("kept", task.GetProperty("description").GetString());
        Assert.Equal("clear", task.GetProperty("name").GetString());
        var history = await client.GetJsonAsync($"/tasks/{ids[0]}/history");
        var changes = history.EnumerateArray().SelectMany(entry => entry.TryGetProperty("changes", out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : []);
        Assert.Contains(changes, change => change.GetProperty("field").GetString() == "dueDate"
            && (!change.TryGetProperty("to", out var to) || to.ValueKind == JsonValueKind.Null));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("key")]
    [InlineData("status")]
    public async Task PatchingAFieldEveryTaskHasWithNullIs400AndChangesNothing(string field)
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("required");
        var ids = await factory.CreateTasksAsync(new { key, name = "kept", priority = "low" });

        var response = await client.SendAsync("PATCH", $"/tasks/{ids[0]}", $$"""{"priority": "high", "{{field}}": null}""");

        var problem = await response.AssertBadRequestNamingAsync(field);
        Assert.Contains("cannot be null", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var task = await client.GetJsonAsync($"/tasks/{ids[0]}");
        Assert.Equal(("kept", key, "pending", "low"), (task.GetProperty("name").GetString(), task.GetProperty("key").GetString(), task.GetProperty("status").GetString(), task.GetProperty("priority").GetString()));
    }

    [Fact]
    public async Task PatchingTheStatusMovesATaskBetweenPendingAndInProgress()
    {
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("status"), name = "s" });

        await (await client.PatchJsonAsync($"/tasks/{ids[0]}", new { status = "in progress" })).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal("in progress", (await client.GetJsonAsync($"/tasks/{ids[0]}")).GetProperty("status").GetString());

        await (await client.PatchJsonAsync($"/tasks/{ids[0]}", new { status = "pending" })).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal("pending", (await client.GetJsonAsync($"/tasks/{ids[0]}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task PatchingTheStatusToCompletedIs400NamingStatusAndLeavesTheTask()
    {
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("complete"), name = "c" });

        var response = await client.PatchJsonAsync($"/tasks/{ids[0]}", new { status = "completed", name = "renamed" });

        await response.AssertBadRequestNamingAsync("status");
        var task = await client.GetJsonAsync($"/tasks/{ids[0]}");
        Assert.Equal("pending", task.GetProperty("status").GetString());
        Assert.Equal("c", task.GetProperty("name").GetString());
    }

    [Fact]
    public async Task PatchingTheStatusOfACompletedTaskIs409()
    {
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("done"), name = "d" });
        await factory.EndTaskAsync(ids[0]);

        var response = await client.PatchJsonAsync($"/tasks/{ids[0]}", new { status = "pending" });

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("completed", (await client.GetJsonAsync($"/tasks/{ids[0]}")).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{"status": "done"}""", "status")]
    [InlineData("""{"metadata": "text"}""", "metadata")]
    [InlineData("""{"title": "x"}""", "title")]
    [InlineData("""{"name": 5}""", "name")]
    [InlineData("""{"dueDate": "next tuesday"}""", "dueDate")]
    [InlineData("not json", "body")]
    [InlineData("", "body")]
    public async Task PatchingATaskWithABadBodyIs400NamingTheField(string body, string field)
    {
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("bad-patch"), name = "b" });

        var response = await factory.CreateClient(Permissions.UpdateTask).SendAsync("PATCH", $"/tasks/{ids[0]}", body);

        await response.AssertBadRequestNamingAsync(field);
    }

    [Fact]
    public async Task PatchingMetadataWithALoneSurrogateIsStoredOrRefusedNamingMetadata()
    {
        // "\ud800" is valid JSON text: the service may keep it or refuse it as bad input, but not answer 500.
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("surrogate"), name = "n" });

        var response = await client.SendAsync("PATCH", $"/tasks/{ids[0]}", """{"metadata": {"text": "\ud800"}}""");

        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            await response.AssertBadRequestNamingAsync("metadata");
        }
        else
        {
            await response.AssertStatusAsync(HttpStatusCode.NoContent);
            var metadata = (await client.GetJsonAsync($"/tasks/{ids[0]}")).GetProperty("metadata").GetProperty("text");
            Assert.Equal("\"\\ud800\"", metadata.GetRawText().ToLowerInvariant());
        }
    }

    [Fact]
    public async Task PatchingAnUnknownTaskIs404()
    {
        var response = await factory.CreateClient(Permissions.UpdateTask).PatchJsonAsync($"/tasks/{Guid.NewGuid()}", new { name = "x" });

        await response.AssertNotFoundAsync();
    }

    // ---- PATCH /tasks?where= ----

    [Fact]
    public async Task PatchingTasksByWhereUpdatesOnlyTheMatchesAndAnswersTheCount()
    {
        var client = factory.CreateAdminClient();
        var prefix = await SeedFourTasksAsync();
        var where = new { and = new object[] { new { key = new { like = $"{prefix}-%" } }, new { priority = "high" } } };

        var response = await client.PatchJsonAsync($"/tasks?{JsonApi.Where(where)}", new { assigneeId = "reviewer" });

        Assert.Equal(2, (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("count").GetInt64());
        var tasks = await client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key = new { like = $"{prefix}-%" } }, order = "name ASC" })}");
        Assert.Equal(
            ["reviewer", "-", "-", "reviewer"],
            tasks.EnumerateArray().Select(t => t.TryGetProperty("assigneeId", out var a) ? a.GetString()! : "-"));
    }

    [Fact]
    public async Task PatchingTasksWithAWhereThatMatchesNothingAnswersZero()
    {
        var response = await factory.CreateClient(Permissions.UpdateTask)
            .PatchJsonAsync($"/tasks?{JsonApi.Where(new { key = TaskSeeding.NewKey("none") })}", new { name = "x" });

        Assert.Equal(0, (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task PatchingTasksWithoutWhereIs400NamingWhereAndChangesNothing()
    {
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("no-where"), name = "untouched" });

        var response = await client.PatchJsonAsync("/tasks", new { name = "everything" });

        await response.AssertBadRequestNamingAsync("where");
        Assert.Equal("untouched", (await client.GetJsonAsync($"/tasks/{ids[0]}")).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"nope": 1}""")]
    [InlineData("""{"name": {"near": "x"}}""")]
    public async Task PatchingTasksWithABadWhereIs400NamingWhere(string where)
    {
        var response = await factory.CreateClient(Permissions.UpdateTask).PatchJsonAsync($"/tasks?{JsonApi.Where(where)}", new { name = "x" });

        await response.AssertBadRequestNamingAsync("where");
    }

    [Fact]
    public async Task PatchingTasksByWhereToCompletedIs400NamingStatus()
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("bulk-complete");
        await factory.CreateTasksAsync(new { key, name = "a" });

        var response = await client.PatchJsonAsync($"/tasks?{JsonApi.Where(new { key })}", new { status = "completed" });

        await response.AssertBadRequestNamingAsync("status");
        Assert.Equal(0, await client.CountAsync($"/tasks/count?{JsonApi.Where(new { key, status = "completed" })}"));
    }

    // ---- DELETE /tasks/{id} ----

    [Theory]
    [InlineData("")]
    [InlineData("?cascade=true")]
    public async Task DeletingATaskDeletesItsUserTasksUnlessCascadeIsFalse(string query)
    {
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("cascade"), name = "with user tasks" });
        await factory.AddUserTasksAsync(ids[0], "approve", "sign");

        await (await client.DeleteAsync($"/tasks/{ids[0]}{query}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await client.GetAsync($"/tasks/{ids[0]}")).AssertNotFoundAsync();
        Assert.Equal(0, await factory.StoredUserTaskCountAsync(ids[0]));
    }

    [Fact]
    public async Task DeletingWithCascadeFalseATaskThatHasUserTasksIs409AndKeepsBoth()
    {
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("no-cascade"), name = "kept" });
        await factory.AddUserTasksAsync(ids[0], "approve");

        var response = await client.DeleteAsync($"/tasks/{ids[0]}?cascade=false");

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("kept", (await client.GetJsonAsync($"/tasks/{ids[0]}")).GetProperty("name").GetString());
        Assert.Equal(1, await factory.StoredUserTaskCountAsync(ids[0]));
    }

    [Fact]
    public async Task DeletingWithCascadeFalseATaskWithoutUserTasksDeletesIt()
    {
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("plain"), name = "alone" });

        await (await client.DeleteAsync($"/tasks/{ids[0]}?cascade=false")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await client.GetAsync($"/tasks/{ids[0]}")).AssertNotFoundAsync();
    }

    [Fact]
    public async Task DeletingAnUnknownTaskIs404()
    {
        var response = await factory.CreateClient(Permissions.DeleteTask).DeleteAsync($"/tasks/{Guid.NewGuid()}");

        await response.AssertNotFoundAsync();
    }

    [Fact]
    public async Task DeletingWithACascadeThatIsNotABooleanIs400NamingCascade()
    {
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("bad-cascade"), name = "n" });

        var response = await client.DeleteAsync($"/tasks/{ids[0]}?cascade=maybe");

        await response.AssertBadRequestNamingAsync("cascade");
        await (await client.GetAsync($"/tasks/{ids[0]}")).AssertStatusAsync(HttpStatusCode.OK);
    }

    // ---- DELETE /tasks?where= ----

    [Fact]
    public async Task DeletingTasksByWhereDeletesOnlyTheMatchesAndTheirUserTasks()
    {
        var client = factory.CreateAdminClient();
        var prefix = await SeedFourTasksAsync();
        var ids = await TaskIdsByKeyAsync(client, prefix);
        await factory.AddUserTasksAsync(ids["gamma"], "approve");
        var where = new { and = new object[] { new { key = new { like = $"{prefix}-%" } }, new { priority = "high" } } };

        await (await client.DeleteAsync($"/tasks?{JsonApi.Where(where)}")).AssertStatusAsync(HttpStatusCode.NoContent);

        var left = await client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key = new { like = $"{prefix}-%" } } })}");
        Assert.Equal(new[] { $"{prefix}-beta", $"{prefix}-delta" }, left.Values("key").Order(StringComparer.Ordinal));
        Assert.Equal(0, await factory.StoredUserTaskCountAsync(ids["gamma"]));
    }

    [Fact]
    public async Task DeletingTasksByWhereWithCascadeFalseIs409WhenAMatchHasUserTasks()
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("bulk-no-cascade");
        var ids = await factory.CreateTasksAsync(new { key, name = "has user tasks" });
        await factory.AddUserTasksAsync(ids[0], "approve");

        var response = await client.DeleteAsync($"/tasks?{JsonApi.Where(new { key })}&cascade=false");

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
        await (await client.GetAsync($"/tasks/{ids[0]}")).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(1, await factory.StoredUserTaskCountAsync(ids[0]));
    }

    [Fact]
    public async Task DeletingTasksWithoutWhereIs400NamingWhereAndDeletesNothing()
    {
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("survivor"), name = "n" });

        var response = await client.DeleteAsync("/tasks");

        await response.AssertBadRequestNamingAsync("where");
        await (await client.GetAsync($"/tasks/{ids[0]}")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("DELETE", "where=", "empty")]
    [InlineData("DELETE", "where=%20&cascade=true", "empty")]
    [InlineData("PATCH", "where=", "empty")]
    [InlineData("DELETE", "where=null", "null")]
    [InlineData("DELETE", "where=%20null%20&cascade=true", "null")]
    [InlineData("PATCH", "where=null", "null")]
    public async Task ABulkChangeWithAnEmptyOrNullWhereIs400AndChangesNothing(string method, string query, string given)
    {
        // An empty where (a client's template with nothing filled in), or JSON null (a variable the client never set), is not
        // read as "no condition", which matches every task.
        var client = factory.CreateAdminClient();
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("empty-where"), name = "untouched" });

        var response = method == "DELETE" ? await client.DeleteAsync($"/tasks?{query}") : await client.PatchJsonAsync($"/tasks?{query}", new { name = "everything" });

        var problem = await response.AssertBadRequestNamingAsync("where");
        Assert.Equal($"The 'where' parameter is {given}; give a condition, or where={{}} to match every task.", problem.GetProperty("detail").GetString());
        Assert.Equal("untouched", (await client.GetJsonAsync($"/tasks/{ids[0]}")).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"nope": 1}""")]
    [InlineData("""{"createdOn": {"gt": "yesterday"}}""")]
    public async Task DeletingTasksWithABadWhereIs400NamingWhere(string where)
    {
        var response = await factory.CreateClient(Permissions.DeleteTask).DeleteAsync($"/tasks?{JsonApi.Where(where)}");

        await response.AssertBadRequestNamingAsync("where");
    }

    // ---- /tasks/mapping ----

    [Fact]
    public async Task AddingATaskMappingAnswers201AndAddingItAgainKeepsOne()
    {
        var client = factory.CreateClient(Permissions.MapTask);
        var taskKey = TaskSeeding.NewKey("tm");

        var response = await client.PostJsonAsync("/tasks/mapping", new { taskKey, workflowKey = "approval" });
        var again = await client.PostJsonAsync("/tasks/mapping", new { taskKey, workflowKey = "approval" });

        var mapping = await response.ReadJsonAsync(HttpStatusCode.Created);
        var id = mapping.GetProperty("id").GetString()!;
        Assert.Equal(taskKey, mapping.GetProperty("taskKey").GetString());
        Assert.Equal("approval", mapping.GetProperty("workflowKey").GetString());
        Assert.Equal($"/tasks/mapping/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(id, (await again.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString());
        var listed = await client.GetJsonAsync($"/tasks/mapping?{JsonApi.Filter(new { where = new { taskKey } })}");
        Assert.Equal([id], listed.Values("id"));
    }

    [Fact]
    public async Task ListingTaskMappingsHonoursWhereAndOrder()
    {
        var client = factory.CreateClient(Permissions.MapTask);
        var taskKey = TaskSeeding.NewKey("tm");
        foreach (var workflow in new[] { "b-flow", "a-flow", "c-flow" })
        {
            await (await client.PostJsonAsync("/tasks/mapping", new { taskKey, workflowKey = workflow })).AssertStatusAsync(HttpStatusCode.Created);
        }

        var listed = await client.GetJsonAsync($"/tasks/mapping?{JsonApi.Filter(new { where = new { taskKey, workflowKey = new { neq = "c-flow" } }, order = "workflowKey ASC" })}");

        Assert.Equal(["a-flow", "b-flow"], listed.Values("workflowKey"));
    }

    [Fact]
    public async Task DeletingATaskMappingAnswers204ThenIs404()
    {
        var client = factory.CreateClient(Permissions.MapTask);
        var taskKey = TaskSeeding.NewKey("tm");
        var id = (await (await client.PostJsonAsync("/tasks/mapping", new { taskKey, workflowKey = "w" })).ReadJsonAsync(HttpStatusCode.Created))
            .GetProperty("id").GetString();

        await (await client.DeleteAsync($"/tasks/mapping/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Empty((await client.GetJsonAsync($"/tasks/mapping?{JsonApi.Filter(new { where = new { taskKey } })}")).EnumerateArray());
        await (await client.DeleteAsync($"/tasks/mapping/{id}")).AssertNotFoundAsync();
    }

    [Theory]
    [InlineData("""{"workflowKey": "w"}""", "taskKey")]
    [InlineData("""{"taskKey": "t"}""", "workflowKey")]
    [InlineData("""{"taskKey": "", "workflowKey": "w"}""", "taskKey")]
    [InlineData("""{"taskKey": "t", "workflowKey": "w", "eventKey": "e"}""", "eventKey")]
    [InlineData("not json", "body")]
    [InlineData("", "body")]
    public async Task AddingATaskMappingWithABadBodyIs400NamingTheField(string body, string field)
    {
        var response = await factory.CreateClient(Permissions.MapTask).SendAsync("POST", "/tasks/mapping", body);

        await response.AssertBadRequestNamingAsync(field);
    }

    [Fact]
    public async Task ListingTaskMappingsWithABadFilterIs400NamingFilter()
    {
        var response = await factory.CreateClient(Permissions.MapTask).GetAsync($"/tasks/mapping?{JsonApi.Filter("""{"where": {"eventKey": "x"}}""")}");

        await response.AssertBadRequestNamingAsync("filter");
    }

    // ---- permissions ----

    [Theory]
    [InlineData("GET", "/tasks", Permissions.ViewTask, null)]
    [InlineData("GET", "/tasks/count", Permissions.ViewTask, null)]
    [InlineData("GET", "/tasks/{key}", Permissions.ViewTask, null)]
    [InlineData("PATCH", "/tasks/{key}", Permissions.UpdateTask, """{"name": "x"}""")]
    [InlineData("PATCH", "/tasks?where=%7B%22key%22%3A%22{key}%22%7D", Permissions.UpdateTask, """{"name": "x"}""")]
    [InlineData("DELETE", "/tasks/{key}", Permissions.DeleteTask, null)]
    [InlineData("DELETE", "/tasks?where=%7B%22key%22%3A%22{key}%22%7D", Permissions.DeleteTask, null)]
    [InlineData("POST", "/tasks/mapping", Permissions.MapTask, """{"taskKey": "{key}", "workflowKey": "w"}""")]
    [InlineData("GET", "/tasks/mapping", Permissions.MapTask, null)]
    [InlineData("DELETE", "/tasks/mapping/{key}", Permissions.MapTask, null)]
    public async Task TaskEndpointsNeedTheirPermission(string method, string path, string code, string? body) =>
        await PermissionChecks.AssertRequiresAsync(factory, code, PermissionChecks.Row(method, path, body));

    /// <summary>
    /// Creates four tasks whose keys are <c>{prefix}-alpha</c>, <c>-beta</c>, <c>-gamma</c> and <c>-delta</c>; returns the prefix.
    /// </summary>
    private async Task<string> SeedFourTasksAsync()
    {
        var prefix = TaskSeeding.NewKey("tasks");
        await factory.CreateTasksFromJsonAsync($$$"""
            [
              {"key": "{{{prefix}}}-alpha", "name": "Alpha report", "priority": "high", "dueDate": "2030-01-10T00:00:00Z", "metadata": {"region": "eu", "score": 5}},
              {"key": "{{{prefix}}}-beta", "name": "Beta review", "priority": "low", "dueDate": "2030-03-01T00:00:00Z", "metadata": {"region": "us", "score": 10}},
              {"key": "{{{prefix}}}-gamma", "name": "Gamma report", "priority": "high", "dueDate": "2030-06-15T00:00:00Z", "metadata": {"region": "eu", "score": 20}},
              {"key": "{{{prefix}}}-delta", "name": "Delta audit", "priority": "medium"}
            ]
            """);
        return prefix;
    }

    private static async Task<Dictionary<string, string>> TaskIdsByKeyAsync(HttpClient client, string prefix)
    {
        var tasks = await client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key = new { like = $"{prefix}-%" } } })}");
        return tasks.EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()![(prefix.Length + 1)..], t => t.GetProperty("id").GetString()!);
    }
}
