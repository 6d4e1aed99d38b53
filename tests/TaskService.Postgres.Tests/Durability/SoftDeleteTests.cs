using System.Net;

namespace TaskService.Postgres.Tests.Durability;

/// <summary>
/// Workflows and event and task mappings on PostgreSQL, over HTTP: the token's user is recorded as creator and deleter, a
/// delete keeps the row marked deleted and hides it from lists and counts, and the same keys can be used again (the partial
/// unique indexes of migration 0103).
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class SoftDeleteTests
{
    [Fact]
    public async Task DeletedWorkflowsAndMappingsAreKeptWithWhoDeletedThemHiddenAndTheirKeysCanBeUsedAgain()
    {
        await using var service = await DurableService.CreateAsync("soft_delete");
        var silo = await service.StartSiloAsync("silo", DurableService.NewSiloPorts());
        using var author = service.Client(silo, subject: "author");
        using var remover = service.Client(silo, subject: "remover");
        var (bpmn, processId) = BpmnFiles.Parent();
        var key = $"soft-delete-{Guid.NewGuid():N}";

        var workflow = await author.SendJsonAsync("POST", "/workflows", new { name = "soft", bpmnFile = bpmn, inputSchema = new { type = "object" } }).ExpectAsync(HttpStatusCode.Created);
        var workflowId = workflow.GetProperty("id").GetString()!;
        var eventMapping = await author.SendJsonAsync("POST", "/events/mapping", new { eventKey = key, workflowKey = processId }).ExpectAsync(HttpStatusCode.Created);
        var taskMapping = await author.SendJsonAsync("POST", "/tasks/mapping", new { taskKey = key, workflowKey = processId }).ExpectAsync(HttpStatusCode.Created);

        await remover.SendJsonAsync("DELETE", $"/workflows/{workflowId}").ExpectAsync(HttpStatusCode.NoContent);
        await remover.SendJsonAsync("DELETE", $"/events/mapping/{eventMapping.GetProperty("id").GetString()}").ExpectAsync(HttpStatusCode.NoContent);
        await remover.SendJsonAsync("DELETE", $"/tasks/mapping/{taskMapping.GetProperty("id").GetString()}").ExpectAsync(HttpStatusCode.NoContent);

        // The rows stay, with who made and who deleted them.
        foreach (var (table, id) in new[] { ("workflows", workflowId), ("event_workflows", eventMapping.GetProperty("id").GetString()!), ("task_workflows", taskMapping.GetProperty("id").GetString()!) })
        {
            var row = Assert.Single(await Sql.RowsAsync(service.ConnectionString, $"SELECT created_by, deleted, deleted_by, deleted_on IS NOT NULL FROM main.{table} WHERE id = $1", id));
            Assert.Equal(["author", true, "remover", true], row);
        }

        // No read returns them.
        await remover.SendJsonAsync("GET", $"/workflows/{workflowId}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Empty((await remover.GetJsonAsync($"/workflows?{HttpJson.Query("filter", new { where = new { externalIdentifier = processId } })}")).EnumerateArray());
        Assert.Empty((await remover.GetJsonAsync($"/events/mapping?{HttpJson.Query("filter", new { where = new { eventKey = key } })}")).EnumerateArray());
        Assert.Empty((await remover.GetJsonAsync($"/tasks/mapping?{HttpJson.Query("filter", new { where = new { taskKey = key, deleted = true } })}")).EnumerateArray());

        // The same process id and the same pairs of keys are created again, as new rows.
        var again = await author.SendJsonAsync("POST", "/workflows", new { name = "soft", bpmnFile = bpmn, inputSchema = new { type = "object" } }).ExpectAsync(HttpStatusCode.Created);
        Assert.NotEqual(workflowId, again.GetProperty("id").GetString());
        var eventAgain = await author.SendJsonAsync("POST", "/events/mapping", new { eventKey = key, workflowKey = processId }).ExpectAsync(HttpStatusCode.Created);
        await author.SendJsonAsync("POST", "/tasks/mapping", new { taskKey = key, workflowKey = processId }).ExpectAsync(HttpStatusCode.Created);
        Assert.NotEqual(eventMapping.GetProperty("id").GetString(), eventAgain.GetProperty("id").GetString());
        Assert.Equal([eventAgain.GetProperty("id").GetString()!], (await author.GetJsonAsync($"/events/mapping?{HttpJson.Query("filter", new { where = new { eventKey = key } })}")).Values("id"));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(service.ConnectionString, "SELECT count(*) FROM main.task_workflows WHERE task_key = $1", key));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(service.ConnectionString, "SELECT count(*) FROM main.workflows WHERE external_identifier = $1 AND NOT deleted", processId));
    }
}
