using System.Text.Json;
using System.Net;

namespace TaskService.Api.Tests;

/// <summary>Schemas, BPMN files and webhook URLs that would crash, stall or misuse the service are refused with a 400.</summary>
[Collection(ApiCollection.Name)]
public sealed class EngineLimitsApiTests(TaskServiceApiFactory factory)
{
    private const string StartToEnd = """
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
            <bpmn:endEvent id="end" />
        """;

    public static TheoryData<string, string> UnsafeSchemas => new()
    {
        { """{"$ref":"#"}""", "would never end" },
        { """{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"allOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"}""", "would never end" },
        { """{"$ref":"https://example.com/schema.json"}""", "nothing is fetched" },
        { """{"$ref":"#/$defs/missing"}""", "does not point to a subschema" },
        { """{"$schema":"https://example.com/not-a-draft"}""", "not a JSON Schema draft" },
    };

    [Theory]
    [MemberData(nameof(UnsafeSchemas))]
    public async Task DeployingASchemaThatCannotBeEvaluatedSafelyIs400AndTheServiceKeepsRunning(string schema, string reason)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, _) = TestWorkflows.WithFreshProcessId(Process(StartToEnd), "process");

        var response = await client.SendAsync("POST", "/workflows", "{\"name\":\"unsafe\",\"bpmnFile\":" + Json(bpmn) + ",\"inputSchema\":" + schema + "}");

        var problem = await response.AssertBadRequestNamingAsync("inputSchema");
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var workflow = await client.DeployAsync(bpmn);
        var executed = await client.PostJsonAsync($"/workflows/{workflow.GetProperty("id").GetString()}/execute", new { input = new { } });
        Assert.True(executed.IsSuccessStatusCode, $"execute answered {(int)executed.StatusCode}");
    }

    [Fact]
    public async Task ALoneSurrogateInAnInputSchemaIs400()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, _) = TestWorkflows.WithFreshProcessId(Process(StartToEnd), "process");

        var response = await client.SendAsync("POST", "/workflows", "{\"name\":\"surrogate\",\"bpmnFile\":" + Json(bpmn) + ",\"inputSchema\":{\"const\":\"\\ud800\"}}");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ACatastrophicPatternAnswersWellUnderASecond()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, _) = TestWorkflows.WithFreshProcessId(Process(StartToEnd), "process");
        var workflow = await client.DeployAsync(bpmn, new { type = "object", properties = new { code = new { type = "string", pattern = "^(a+)+$" } } });
        var id = workflow.GetProperty("id").GetString();

        var response = await Quickly.RunsAsync(
            () => client.PostJsonAsync($"/workflows/{id}/execute", new { input = new { code = new string('a', 5_000) + "!" } }),
            TimeSpan.FromSeconds(1), "execute");

        await response.AssertBadRequestNamingAsync("input/code");
    }

    [Fact]
    public async Task ABpmnFileWithAHundredThousandNestedElementsIs400NamingTheLimitAtOnce()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        const int depth = 100_000;
        var nested = string.Concat(Enumerable.Repeat("<x>", depth)) + string.Concat(Enumerable.Repeat("</x>", depth));
        var (bpmn, _) = TestWorkflows.WithFreshProcessId(Process($"<bpmn:documentation>{nested}</bpmn:documentation>" + StartToEnd), "process");

        // Sent without escaping '<' and '>' (as most clients send XML in JSON), so that the body stays within the route's size limit.
        var body = JsonSerializer.Serialize(new { name = "deep", bpmnFile = bpmn, inputSchema = new { } },
            new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var response = await Quickly.RunsAsync(() => client.SendAsync("POST", "/workflows", body), TimeSpan.FromSeconds(2), "deploy");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("MaxXmlDepth", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://127.0.0.2:8080/hook")]
    [InlineData("http://2130706434/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://10.0.0.1/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://user:s3cr3t-pw@hooks.example.com/hook")]
    [InlineData("http://localhost/hook")]
    public async Task SubscribingAUrlInsideTheNetworkIs400NamingUrl(string url)
    {
        var app = await ClientApp.CreateAsync(factory);

        var response = await app.CreateWebhooksClient(factory).PostJsonAsync("/webhooks/subscribe", new { url, key = "task-created" });

        var problem = await response.AssertBadRequestNamingAsync("url");
        Assert.DoesNotContain("s3cr3t-pw", problem.ToString(), StringComparison.Ordinal);
        Assert.Empty((await app.CreateWebhooksClient(factory).GetJsonAsync("/webhooks")).EnumerateArray());
    }

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static string Process(string body) => BpmnBuilder.ProcessOf("process", body);
}
