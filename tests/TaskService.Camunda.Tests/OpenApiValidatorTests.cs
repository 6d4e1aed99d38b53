using System.Net;
using System.Text;
using System.Text.Json;
using TaskService.Camunda.Tests.EngineRest;

namespace TaskService.Camunda.Tests;

/// <summary>The test endpoint's check against the description: it catches requests that break it, and accepts the description's own examples.</summary>
public sealed class OpenApiValidatorTests : IAsyncLifetime
{
    private readonly EngineRestServer _server = new(new FakeCamunda());

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string, string?, string> BrokenRequests => new()
    {
        { "POST", "/external-task/fetchAndLock", """{"workerId":"w","maxTasks":1,"topics":[{"topicName":"t","lockDuraton":1000}]}""", "property 'lockDuraton' is not in the schema" },
        { "POST", "/external-task/fetchAndLock", """{"workerId":"w","maxTasks":1,"topics":[{"topicName":"t"}]}""", "required property 'lockDuration' is missing" },
        { "POST", "/external-task/fetchAndLock", """{"maxTasks":"ten","topics":[]}""", "required property 'workerId' is missing" },
        { "POST", "/external-task/fetchAndLock", """{"workerId":"w","maxTasks":"ten"}""", "expected integer, got string 'ten'" },
        { "POST", "/external-task/abc/failure", """{"workerId":"w","retries":1.5}""", "1.5 is not an integer" },
        { "POST", "/process-definition/key/k/start", """{"variables":{"a":"plain"}}""", "$.variables.a: expected an object" },
        { "POST", "/process-definition/key/k/start", """{"businessKey":7}""", "$.businessKey: expected string" },
        { "GET", "/process-instance?businessKey=x&bizKey=y", null, "query parameter 'bizKey' is not declared" },
        { "GET", "/process-instance?suspended=maybe", null, "query parameter 'suspended' is 'maybe', not a boolean" },
        { "GET", "/history/process-instance?startedAfter=2015-10-06T16:34:42Z", null, "not a date-time" },
        { "GET", "/process-instance/abc/unknown", null, "the description has no such operation" },
        { "POST", "/task/abc/complete", "not json", "the body is not JSON" },
        { "POST", "/external-task/abc/unlock", """{"workerId":"w"}""", "takes no request body" },
    };

    [Theory]
    [MemberData(nameof(BrokenRequests))]
    public async Task ARequestThatBreaksTheDescriptionIsAViolation(string method, string path, string? body, string expected)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), _server.BaseUrl + path)
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        };

        using var response = await http.SendAsync(request);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"answered {response.StatusCode}");
        Assert.Contains("ContractViolation", await response.Content.ReadAsStringAsync());
        Assert.Contains(_server.Violations, v => v.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMultipartDeploymentWithAnUnknownFieldIsAViolation()
    {
        using var http = new HttpClient();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("x"), "deployment-name" },
            { new StringContent("yes"), "deploy-changed-only" },
            { new StringContent("x"), "deploymentName" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(FakeCamunda.ServiceTaskProcess("p", "t"))), "data", "p.bpmn" },
        };

        using var response = await http.PostAsync(_server.BaseUrl + "/deployment/create", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(_server.Violations, v => v.Contains("form field 'deploymentName' is not in the schema", StringComparison.Ordinal));
        Assert.Contains(_server.Violations, v => v.Contains("form field 'deploy-changed-only' is 'yes', not a boolean", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> UsedOperations => new()
    {
        { "/external-task/fetchAndLock", "post" }, { "/external-task/{id}/complete", "post" }, { "/external-task/{id}/failure", "post" },
        { "/external-task/{id}/extendLock", "post" }, { "/external-task/{id}/lock", "post" }, { "/external-task/{id}/retries", "put" },
        { "/process-definition/key/{key}/start", "post" }, { "/process-definition/{id}/start", "post" }, { "/task/{id}/complete", "post" },
        { "/message", "post" },
    };

    /// <summary>
    /// Where the description contradicts itself: an example gives <c>tenantIdIn</c> as a string where the schema has an array, and
    /// one gives start instruction <c>variables</c> as a map where the schema has a single <c>TriggerVariableValueDto</c>.
    /// </summary>
    private static readonly Dictionary<(string Path, string Example), string> KnownSlips = new()
    {
        [("/external-task/fetchAndLock", "example-2")] = "$.topics[0].tenantIdIn: expected array, got string 'tenantOne'.",
        [("/process-definition/key/{key}/start", "example-3")] = "$.startInstructions[0].variables: property 'var' is not in the schema.",
        [("/process-definition/{id}/start", "example-3")] = "$.startInstructions[0].variables: property 'var' is not in the schema.",
    };

    [Theory]
    [MemberData(nameof(UsedOperations))]
    public void TheDescriptionsOwnRequestExamplesValidateButForItsKnownSlips(string path, string method)
    {
        var description = OpenApiDescription.Instance;
        var content = description.Root.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        var examples = content.GetProperty("examples").EnumerateObject().ToArray();

        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            var errors = OpenApiValidator.Instance.ValidateSchema(content.GetProperty("schema"), example.Value.GetProperty("value"));
            if (KnownSlips.TryGetValue((path, example.Name), out var slip))
            {
                Assert.Contains(slip, errors);
            }
            else
            {
                Assert.Empty(errors);
            }
        }
    }

    [Fact]
    public void AnAnswerInAnotherDateFormatIsAViolation()
    {
        var operation = OpenApiDescription.Instance.FindOperation("GET", "/task")!;
        using var answer = JsonDocument.Parse("""[{"id":"t","due":"2030-06-30T17:00:00Z"}]""");

        var errors = OpenApiValidator.Instance.ValidateResponse(operation, 200, answer.RootElement);

        Assert.Contains(errors, e => e.Contains("$[0].due", StringComparison.Ordinal) && e.Contains("Camunda's format", StringComparison.Ordinal));
    }

    [Fact]
    public void AnErrorStatusTheDescriptionDoesNotGiveForTheOperationIsAViolation()
    {
        var variables = OpenApiDescription.Instance.FindOperation("GET", "/process-instance/some-id/variables")!;
        using var error = JsonDocument.Parse("""{"type":"InvalidRequestException","message":"Process instance with id some-id does not exist"}""");

        var asDocumented = OpenApiValidator.Instance.ValidateResponse(variables, 500, error.RootElement);
        var notDocumented = OpenApiValidator.Instance.ValidateResponse(variables, 404, error.RootElement);

        Assert.Empty(asDocumented);
        Assert.Contains(notDocumented, e => e.Contains("status 404 is not documented", StringComparison.Ordinal));
    }
}
