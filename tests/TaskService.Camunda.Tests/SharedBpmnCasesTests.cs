using System.Net;
using System.Security;
using System.Text.Json;
using TaskService.Api.Tests;
using TaskService.Camunda.Tests.EngineRest;
using TaskService.Camunda.Tests.Hosting;
using TaskService.Serialization;
using TaskService.Workflows.Camunda;

namespace TaskService.Camunda.Tests;


/// <summary>
/// The same BPMN files, started with the same variables through the same HTTP API, on the embedded engine and on Camunda (the
/// engine-rest peer, which deserializes every variable as the Java engine would and evaluates the conditions over what it
/// deserialized): each case's exclusive gateway takes the same way on both, and the variables read back are those sent.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SharedBpmnCasesTests(TaskServiceApiFactory camunda, EmbeddedEngineFactory embedded) : IClassFixture<EmbeddedEngineFactory>, IAsyncLifetime
{
    private const string Yes = "Yes";
    private const string No = "No";

    /// <summary>Name, condition of the flow to <c>Yes</c> (the default flow leads to <c>No</c>), the variables, the way expected.</summary>
    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "nested number above", "${order.amount > 100}", """{"order":{"amount":150}}""", Yes },
        { "nested number below", "${order.amount > 100}", """{"order":{"amount":50}}""", No },
        { "nested integer against a decimal", "${order.amount > 99.5}", """{"order":{"amount":100}}""", Yes },
        { "nested decimal", "${order.total <= 10.25}", """{"order":{"total":10.25}}""", Yes },
        { "two levels deep", "${order.customer.tier == 'gold'}", """{"order":{"customer":{"tier":"gold"}}}""", Yes },
        { "two levels deep, other value", "${order.customer.tier == 'gold'}", """{"order":{"customer":{"tier":"silver"}}}""", No },
        { "item of a nested array", "${order.lines[0].sku == 'A-1'}", """{"order":{"lines":[{"sku":"A-1"},{"sku":"B-2"}]}}""", Yes },
        { "item of a top-level array", "${tags[1] == 'urgent'}", """{"tags":["new","urgent"]}""", Yes },
        { "empty nested array", "${empty order.lines}", """{"order":{"lines":[]}}""", Yes },
        { "non-empty nested array", "${empty order.lines}", """{"order":{"lines":[1]}}""", No },
        { "integer", "${count >= 3}", """{"count":3}""", Yes },
        { "long", "${big > 3000000000}", """{"big":5000000000}""", Yes },
        { "negative long", "${big < -3000000000}", """{"big":-5000000000}""", Yes },
        { "double", "${ratio < 0.5}", """{"ratio":0.25}""", Yes },
        { "arithmetic over nested numbers", "${order.amount * order.quantity > 1000}", """{"order":{"amount":300,"quantity":4}}""", Yes },
        { "boolean true", "${approved}", """{"approved":true}""", Yes },
        { "boolean false", "${approved}", """{"approved":false}""", No },
        { "nested boolean", "${order.express == true}", """{"order":{"express":true}}""", Yes },
        { "negated nested boolean", "${!order.express}", """{"order":{"express":false}}""", Yes },
        { "null", "${note == null}", """{"note":null}""", Yes },
        { "nested null", "${order.coupon == null}", """{"order":{"coupon":null}}""", Yes },
        { "missing nested property", "${order.coupon == null}", """{"order":{"amount":1}}""", Yes },
        { "nested value not null", "${order.coupon != null}", """{"order":{"coupon":"SAVE10"}}""", Yes },
        { "string", "${status == 'approved'}", """{"status":"approved"}""", Yes },
        { "date-like string", "${due == '2030-06-30T17:00:00Z'}", """{"due":"2030-06-30T17:00:00Z"}""", Yes },
        { "and over nested values", "${order.amount > 100 && order.customer.tier == 'gold'}", """{"order":{"amount":500,"customer":{"tier":"bronze"}}}""", No },
    };

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Whatever the test did, no request to engine-rest (nor answer) may have broken the official description.</summary>
    public Task DisposeAsync()
    {
        Assert.Empty(camunda.EngineRest.Violations);
        return Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ACaseTakesTheSameWayOnBothEngines(string name, string condition, string variables, string expected)
    {
        var input = JsonElementFactory.Parse(variables);
        var (bpmn, processKey) = TestWorkflows.WithFreshProcessId(GatewayProcess(name, condition), "shared-case");

        var onEmbedded = await RunAsync(embedded.CreateClient(TestWorkflows.AllPermissions), bpmn, input);
        var onCamunda = await RunAsync(camunda.CreateClient(TestWorkflows.AllPermissions), bpmn, input);

        Assert.Equal(expected, onEmbedded.Way);
        Assert.Equal(onEmbedded.Way, onCamunda.Way);
        Assert.True(JsonElement.DeepEquals(input, onEmbedded.Variables), $"embedded read back {onEmbedded.Variables}");
        Assert.True(JsonElement.DeepEquals(input, onCamunda.Variables), $"Camunda read back {onCamunda.Variables}");

        // The engine holds every variable sent as the Java type that behaves so (objects and arrays as Java maps and lists), and
        // what it deserialized, which its expressions see, is the value sent.
        var stored = camunda.Engine.VariablesOf(Assert.Single(camunda.Engine.InstancesOf(processKey)).Id);
        Assert.Equal(input.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal), stored.Keys.Order(StringComparer.Ordinal));
        foreach (var property in input.EnumerateObject())
        {
            Assert.Equal(JavaTypeOf(property.Value), (stored[property.Name].Type, stored[property.Name].ObjectTypeName));
            var seen = stored[property.Name].ToExpressionValue();
            Assert.True(JsonElement.DeepEquals(property.Value, seen), $"the engine's expressions see {property.Name} as {seen}");
        }
    }

    [Fact]
    public async Task OnCamundaSpinJsonVariablesDoNotReachExpressionsButTheDefaultObjectVariablesDo()
    {
        var client = EngineRestClientContractTests.Client(camunda.EngineRest, TaskServiceApiFactory.EngineUser, TaskServiceApiFactory.EnginePassword);
        var (bpmn, processKey) = TestWorkflows.WithFreshProcessId(GatewayProcess("spin", "${order.amount > 100}"), "shared-case");
        camunda.Engine.Deploy(processKey, bpmn);
        var order = JsonElementFactory.Parse("""{"order":{"amount":150}}""");

        var spin = (await client.StartByKeyAsync(processKey, new CamundaStartRequest
        {
            BusinessKey = "spin",
            Variables = CamundaVariables.FromJsonObject(order, CamundaJsonVariableType.Json),
        })).Refusal!;
        var map = (await client.StartByKeyAsync(processKey, new CamundaStartRequest
        {
            BusinessKey = "map",
            Variables = CamundaVariables.FromJsonObject(order, new CamundaOptions().JsonVariableType),
        })).OrThrow();

        Assert.Equal(500, spin.Status);
        Assert.Contains("${order.amount > 100}", spin.EngineMessage);
        Assert.Empty(await client.GetProcessInstancesAsync("spin", processKey));
        Assert.Equal(Yes, Assert.Single(await client.GetTasksAsync(map.Id)).TaskDefinitionKey);
    }

    [Fact]
    public async Task TheEngineRefusesAnObjectVariableItCannotDeserialize()
    {
        var client = EngineRestClientContractTests.Client(camunda.EngineRest, TaskServiceApiFactory.EngineUser, TaskServiceApiFactory.EnginePassword);
        var (bpmn, processKey) = TestWorkflows.WithFreshProcessId(GatewayProcess("refused", "${order.amount > 100}"), "shared-case");
        camunda.Engine.Deploy(processKey, bpmn);
        CamundaVariable Object(string json, string type) => new()
        {
            Type = "Object",
            Value = JsonElementFactory.From(json),
            ValueInfo = new Dictionary<string, JsonElement>
            {
                ["objectTypeName"] = JsonElementFactory.From(type),
                ["serializationDataFormat"] = JsonElementFactory.From(CamundaVariables.JsonDataFormat),
            },
        };

        var unknownClass = (await client.StartByKeyAsync(processKey, new CamundaStartRequest
        {
            Variables = new Dictionary<string, CamundaVariable> { ["order"] = Object("""{"amount":1}""", "com.example.Order") },
        })).Refusal!;
        var wrongShape = (await client.StartByKeyAsync(processKey, new CamundaStartRequest
        {
            Variables = new Dictionary<string, CamundaVariable> { ["order"] = Object("[1]", CamundaVariables.ObjectMapType) },
        })).Refusal!;

        Assert.Equal((400, 400), (unknownClass.Status, wrongShape.Status));
        Assert.Contains("com.example.Order", unknownClass.EngineMessage);
        Assert.Contains(CamundaVariables.ObjectMapType, wrongShape.EngineMessage);
    }

    /// <summary>Deploys the file, starts it with the variables, and returns the user task it waits on and the variables it shows.</summary>
    private static async Task<(string Way, JsonElement Variables)> RunAsync(HttpClient client, string bpmn, JsonElement input)
    {
        var workflowId = (await client.DeployAsync(bpmn)).GetProperty("id").GetString()!;
        var started = await (await client.PostJsonAsync($"/workflows/{workflowId}/execute", new { input })).ReadJsonAsync(HttpStatusCode.OK);
        var instanceId = started.GetProperty("instance").GetProperty("id").GetString()!;
        var details = await client.GetJsonAsync($"/workflow-instances/{instanceId}");
        var active = Assert.Single(details.GetProperty("activeElements").EnumerateArray());
        return (active.GetProperty("elementId").GetString()!, details.GetProperty("variables").Clone());
    }

    private static (string Type, string? ObjectTypeName) JavaTypeOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => ("Object", CamundaVariables.ObjectMapType),
        JsonValueKind.Array => ("Object", CamundaVariables.ObjectListType),
        JsonValueKind.String => ("String", null),
        JsonValueKind.True or JsonValueKind.False => ("Boolean", null),
        JsonValueKind.Number when value.TryGetInt32(out _) => ("Integer", null),
        JsonValueKind.Number when value.TryGetInt64(out _) => ("Long", null),
        JsonValueKind.Number => ("Double", null),
        _ => ("Null", null),
    };

    /// <summary>Start, an exclusive gateway whose flow to user task <c>Yes</c> has the condition and whose default flow leads to <c>No</c>.</summary>
    private static string GatewayProcess(string name, string condition) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_shared" targetNamespace="http://bpmn.io/schema/bpmn">
          <bpmn:process id="shared-case" name="{SecurityElement.Escape(name)}" isExecutable="true" camunda:historyTimeToLive="180">
            <bpmn:startEvent id="Start" />
            <bpmn:sequenceFlow id="Flow_start" sourceRef="Start" targetRef="Gateway" />
            <bpmn:exclusiveGateway id="Gateway" default="Flow_no" />
            <bpmn:sequenceFlow id="Flow_yes" sourceRef="Gateway" targetRef="Yes">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{SecurityElement.Escape(condition)}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="Flow_no" sourceRef="Gateway" targetRef="No" />
            <bpmn:userTask id="Yes" name="Yes" />
            <bpmn:userTask id="No" name="No" />
            <bpmn:sequenceFlow id="Flow_yes_end" sourceRef="Yes" targetRef="End" />
            <bpmn:sequenceFlow id="Flow_no_end" sourceRef="No" targetRef="End" />
            <bpmn:endEvent id="End" />
          </bpmn:process>
        </bpmn:definitions>
        """;
}
