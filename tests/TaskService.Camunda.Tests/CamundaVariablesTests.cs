using System.Text.Json;
using TaskService.Camunda.Tests.EngineRest;
using TaskService.Errors;
using TaskService.Serialization;
using TaskService.Workflows.Camunda;

namespace TaskService.Camunda.Tests;

/// <summary>Typed variables exactly as engine-rest writes them, to and from TaskService's plain JSON.</summary>
public sealed class CamundaVariablesTests
{
    public static TheoryData<string, string, string> JsonToTyped => new()
    {
        { "\"text\"", "String", "\"text\"" },
        { "7", "Integer", "7" },
        { "-2147483648", "Integer", "-2147483648" },
        { "2147483647", "Integer", "2147483647" },
        { "2147483648", "Long", "2147483648" },
        { "-2147483649", "Long", "-2147483649" },
        { "5000000000", "Long", "5000000000" },
        { "9223372036854775807", "Long", "9223372036854775807" },
        { "1.0", "Double", "1" },
        { "1e3", "Double", "1000" },
        { "1.5", "Double", "1.5" },
        { "1e300", "Double", "1E+300" },
        { "true", "Boolean", "true" },
        { "null", "Null", "null" },
        { "\"2015-10-06T16:34:42.000+0200\"", "String", "\"2015-10-06T16:34:42.000+0200\"" },
        { """{"a":[1,2]}""", "Object", "\"{\\\"a\\\":[1,2]}\"" },
        { "[1,\"x\"]", "Object", "\"[1,\\\"x\\\"]\"" },
    };

    [Theory]
    [MemberData(nameof(JsonToTyped))]
    public void JsonValuesBecomeTheTypedVariablesCamundaReads(string json, string type, string value)
    {
        var variable = CamundaVariables.From(JsonElementFactory.Parse(json), new CamundaOptions().JsonVariableType);
        var written = JsonSerializer.SerializeToElement(variable, CamundaJson.Options);

        Assert.Equal(type, written.GetProperty("type").GetString());
        Assert.Equal(value, written.GetProperty("value").GetRawText());
        Assert.Empty(OpenApiValidator.Instance.ValidateSchema(OpenApiDescription.Instance.Resolve("#/components/schemas/VariableValueDto"), written));
        Assert.True(JsonElement.DeepEquals(JsonElementFactory.Parse(json), CamundaVariables.ToJson(variable)), "it reads back as it was");
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    public void ANumberBeyondTheRangeOfADoubleIsRefused(string json)
    {
        var refused = Assert.Throws<TaskServiceException>(() => CamundaVariables.From(JsonElementFactory.Parse(json), new CamundaOptions().JsonVariableType));

        Assert.Equal((TaskServiceErrorKind.Invalid, "variables"), (refused.Kind, refused.Target));
        Assert.Contains(json, refused.Message);
    }

    [Fact]
    public void ByDefaultObjectsAndArraysAreSentAsJavaCollectionsSerializedToJson()
    {
        var jsonType = new CamundaOptions().JsonVariableType;
        var map = JsonSerializer.SerializeToElement(CamundaVariables.From(JsonElementFactory.Parse("""{"a":1}"""), jsonType), CamundaJson.Options);
        var list = JsonSerializer.SerializeToElement(CamundaVariables.From(JsonElementFactory.Parse("[1]"), jsonType), CamundaJson.Options);

        Assert.Equal(CamundaJsonVariableType.Object, jsonType);
        Assert.Equal("""{"value":"{\"a\":1}","type":"Object","valueInfo":{"objectTypeName":"java.util.LinkedHashMap<java.lang.String,java.lang.Object>","serializationDataFormat":"application/json"}}""", map.GetRawText());
        Assert.Equal("java.util.ArrayList<java.lang.Object>", list.GetProperty("valueInfo").GetProperty("objectTypeName").GetString());
    }

    [Fact]
    public void TeamsThatWantSpinGetJsonVariables()
    {
        var spin = JsonSerializer.SerializeToElement(CamundaVariables.From(JsonElementFactory.Parse("""{"a":1}"""), CamundaJsonVariableType.Json), CamundaJson.Options);

        Assert.Equal("""{"value":"{\"a\":1}","type":"Json"}""", spin.GetRawText());
    }

    [Fact]
    public void VariablesAsTheJavaEngineWritesThemBecomePlainJson()
    {
        // An answer of GET /process-instance/{id}/variables, as Camunda 7 writes it.
        const string answer = """
            {
              "text": {"type": "String", "value": "a", "valueInfo": {}},
              "count": {"type": "Integer", "value": 7, "valueInfo": {}},
              "big": {"type": "Long", "value": 5000000000, "valueInfo": {}},
              "ratio": {"type": "Double", "value": 0.25, "valueInfo": {}},
              "small": {"type": "Short", "value": 3, "valueInfo": {}},
              "flag": {"type": "Boolean", "value": false, "valueInfo": {}},
              "nothing": {"type": "Null", "value": null, "valueInfo": {}},
              "when": {"type": "Date", "value": "2015-10-06T16:34:42.000+0200", "valueInfo": {}},
              "spin": {"type": "Json", "value": "{\"values\":[{\"key\":\"k\"}]}", "valueInfo": {}},
              "order": {"type": "Object", "value": "{\"id\":42,\"lines\":[]}", "valueInfo": {"objectTypeName": "com.example.Order", "serializationDataFormat": "application/json"}},
              "deserialized": {"type": "Object", "value": {"id": 43}, "valueInfo": {"objectTypeName": "com.example.Order", "serializationDataFormat": "application/json"}},
              "javaSerialized": {"type": "Object", "value": "rO0ABXNy", "valueInfo": {"objectTypeName": "com.example.Legacy", "serializationDataFormat": "application/x-java-serialized-object"}},
              "untyped": {"value": "x"}
            }
            """;
        var variables = JsonSerializer.Deserialize<Dictionary<string, CamundaVariable>>(answer, CamundaJson.Options)!;

        var json = CamundaVariables.ToJson(variables);

        Assert.Equal("a", json["text"].GetString());
        Assert.Equal(7, json["count"].GetInt32());
        Assert.Equal(5000000000L, json["big"].GetInt64());
        Assert.Equal(0.25, json["ratio"].GetDouble());
        Assert.Equal(3, json["small"].GetInt32());
        Assert.False(json["flag"].GetBoolean());
        Assert.Equal(JsonValueKind.Null, json["nothing"].ValueKind);
        Assert.Equal("2015-10-06T16:34:42.0000000+02:00", json["when"].GetString());
        Assert.Equal("k", json["spin"].GetProperty("values")[0].GetProperty("key").GetString());
        Assert.Equal(42, json["order"].GetProperty("id").GetInt32());
        Assert.Equal(43, json["deserialized"].GetProperty("id").GetInt32());
        Assert.Equal("rO0ABXNy", json["javaSerialized"].GetString());
        Assert.Equal("x", json["untyped"].GetString());
    }

    [Theory]
    [InlineData(CamundaJsonVariableType.Json)]
    [InlineData(CamundaJsonVariableType.Object)]
    public async Task VariablesRoundTripThroughTheEngine(CamundaJsonVariableType jsonType)
    {
        await using var server = new EngineRestServer(new FakeCamunda());
        await server.StartAsync();
        server.Engine.Deploy("round-trip", FakeCamunda.ServiceTaskProcess("round-trip", "nobody"));
        var client = EngineRestClientContractTests.Client(server, null, null);
        var sent = JsonElementFactory.Parse("""{"s":"é\n\"q\"","i":-7,"l":-5000000000,"d":2.5,"b":true,"n":null,"o":{"nested":{"list":[1,{"x":null}]}},"a":[]}""");

        var instance = (await client.StartByKeyAsync("round-trip", new CamundaStartRequest { Variables = CamundaVariables.FromJsonObject(sent, jsonType) })).OrThrow();
        var read = CamundaVariables.ToJsonObject((await client.GetProcessInstanceVariablesAsync(instance.Id)).Variables);

        Assert.True(JsonElement.DeepEquals(sent, read), read.GetRawText());
        Assert.Equal(jsonType == CamundaJsonVariableType.Json ? "Json" : "Object", server.Engine.VariablesOf(instance.Id)["o"].Type);
        Assert.Empty(server.Violations);
    }
}
