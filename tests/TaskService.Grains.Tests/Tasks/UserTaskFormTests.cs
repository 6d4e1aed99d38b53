using System.Text.Json;
using TaskService.Errors;
using TaskService.Grains.Tests.Workflows;
using TaskService.Serialization;
using TaskService.Tasks;
using TaskService.Workflows.Bpmn;

namespace TaskService.Grains.Tests.Tasks;

/// <summary>Camunda Modeler's generated task forms: read from the BPMN, and the variables completing a user task checked against them.</summary>
public sealed class UserTaskFormTests
{
    private static string Process(string userTaskBody) => BpmnBuilder.ProcessOf("p", $"""
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
            <bpmn:userTask id="task" name="Decide">{userTaskBody}</bpmn:userTask>
            <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
            <bpmn:endEvent id="end" />
        """);

    private static string Fields(string fields) => $"<bpmn:extensionElements><camunda:formData>{fields}</camunda:formData></bpmn:extensionElements>";

    [Fact]
    public void FormFieldsWithTheirTypesValuesAndConstraintsAreReadFromTheUserTask()
    {
        var xml = Process(Fields("""
            <camunda:formField id="amount" label="Amount" type="long" defaultValue="5">
              <camunda:validation>
                <camunda:constraint name="required" />
                <camunda:constraint name="min" config="1" />
                <camunda:constraint name="max" config="100" />
              </camunda:validation>
            </camunda:formField>
            <camunda:formField id="reason" type="string">
              <camunda:validation>
                <camunda:constraint name="minlength" config="2" />
                <camunda:constraint name="maxlength" config="20" />
                <camunda:constraint name="readonly" />
              </camunda:validation>
            </camunda:formField>
            <camunda:formField id="kind" type="enum"><camunda:value id="a" name="A" /><camunda:value id="b" name="B" /></camunda:formField>
            <camunda:formField id="ok" type="boolean" />
            <camunda:formField id="on" type="date" />
            """));

        var task = Assert.IsType<UserTaskElement>(Assert.Single(BpmnParser.Parse(xml).OrThrow()).Elements["task"]);

        Assert.Equal(
            [
                new FormField { Id = "amount", Label = "Amount", Type = "long", DefaultValue = "5", Required = true, Min = 1, Max = 100 },
                new FormField { Id = "reason", Type = "string", MinLength = 2, MaxLength = 20 },
                new FormField { Id = "kind", Type = "enum", Values = ["a", "b"] },
                new FormField { Id = "ok", Type = "boolean" },
                new FormField { Id = "on", Type = "date" },
            ],
            task.Form!.Fields.Select(f => f with { Values = f.Values is null ? null : f.Values.ToArray() }),
            new FieldComparer());
        Assert.Null(Assert.IsType<UserTaskElement>(Assert.Single(BpmnParser.Parse(Process("")).OrThrow()).Elements["task"]).Form);
    }

    [Theory]
    [InlineData("""<camunda:formField id="x" type="customType" />""", "customType")]
    [InlineData("""<camunda:formField type="string" />""", "no id")]
    [InlineData("""<camunda:formField id="x" /><camunda:formField id="x" />""", "two fields with id 'x'")]
    [InlineData("""<camunda:formField id="x" type="enum" />""", "no values")]
    [InlineData("""<camunda:formField id="x"><camunda:validation><camunda:constraint name="validator" config="a.b.C" /></camunda:validation></camunda:formField>""", "'validator'")]
    [InlineData("""<camunda:formField id="x" type="long"><camunda:validation><camunda:constraint name="maxlength" config="3" /></camunda:validation></camunda:formField>""", "needs a string field")]
    [InlineData("""<camunda:formField id="x" type="long"><camunda:validation><camunda:constraint name="min" config="ten" /></camunda:validation></camunda:formField>""", "'ten'")]
    public void AFormTheServiceCannotCheckIsRefusedAtDeploymentNamingTheElement(string fields, string fragment)
    {
        var exception = BpmnRefusal.Of(BpmnParser.Parse(Process(Fields(fields))));

        Assert.Equal("task", exception.ElementId);
        Assert.Contains(fragment, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"amount": 5, "reason": "fine", "kind": "a", "ok": true, "on": "2030-01-31T10:00:00Z"}""", null)]
    [InlineData("""{"amount": 5, "unknown": {"passes": true}}""", null)]
    [InlineData("""{"reason": "fine"}""", "variables/amount")]
    [InlineData("""{"amount": null}""", "variables/amount")]
    [InlineData("""{"amount": 0}""", "variables/amount")]
    [InlineData("""{"amount": 101}""", "variables/amount")]
    [InlineData("""{"amount": 5.5}""", "variables/amount")]
    [InlineData("""{"amount": 5, "reason": "x"}""", "variables/reason")]
    [InlineData("""{"amount": 5, "reason": "😀😀"}""", null)]
    [InlineData("""{"amount": 5, "reason": 12}""", "variables/reason")]
    [InlineData("""{"amount": 5, "kind": "c"}""", "variables/kind")]
    [InlineData("""{"amount": 5, "ok": "true"}""", "variables/ok")]
    [InlineData("""{"amount": 5, "on": "tomorrow"}""", "variables/on")]
    public void VariablesAreCheckedAgainstTheFormNamingEachFieldThatIsWrong(string variables, string? field)
    {
        var form = new UserTaskForm
        {
            Fields =
            [
                new FormField { Id = "amount", Type = "long", Required = true, Min = 1, Max = 100 },
                new FormField { Id = "reason", Type = "string", MinLength = 2, MaxLength = 5 },
                new FormField { Id = "kind", Type = "enum", Values = ["a", "b"] },
                new FormField { Id = "ok", Type = "boolean" },
                new FormField { Id = "on", Type = "date" },
            ],
        };

        var validate = () => UserTaskFormValidator.Validate(form, JsonElementFactory.Parse(variables));

        if (field is null)
        {
            Assert.Null(validate());
            return;
        }

        var problem = Assert.IsType<Problem>(validate());
        Assert.Equal(TaskServiceErrorKind.Invalid, problem.Kind);
        Assert.Equal([field], problem.Errors!.Keys);
    }

    [Fact]
    public void NoVariablesAtAllFailEveryRequiredFieldAndNoFormChecksNothing()
    {
        var form = new UserTaskForm { Fields = [new FormField { Id = "a", Type = "string", Required = true }, new FormField { Id = "b", Type = "long", Required = true }] };

        var problem = Assert.IsType<Problem>(UserTaskFormValidator.Validate(form, null));

        Assert.Equal(["variables/a", "variables/b"], problem.Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.Null(UserTaskFormValidator.Validate(null, JsonElementFactory.Parse("""{"anything": 1}""")));
    }

    [Fact]
    public void AFormSurvivesTheContractJsonRoundTrip()
    {
        var form = new UserTaskForm { Fields = [new FormField { Id = "kind", Type = "enum", Values = ["a"], Required = true, Label = "Kind" }] };

        var json = JsonSerializer.Serialize(form, ContractJson.Options);
        var back = JsonSerializer.Deserialize<UserTaskForm>(json, ContractJson.Options)!;

        Assert.Equal("""{"fields":[{"id":"kind","label":"Kind","type":"enum","required":true,"values":["a"]}]}""", json);
        Assert.Equal(form.Fields[0] with { Values = null }, back.Fields[0] with { Values = null });
        Assert.Equal(["a"], back.Fields[0].Values!);
    }

    /// <summary>Compares fields by value, including the lists of enum values.</summary>
    private sealed class FieldComparer : IEqualityComparer<FormField>
    {
        public bool Equals(FormField? x, FormField? y) =>
            x is not null && y is not null && x with { Values = null } == y with { Values = null }
            && (x.Values ?? []).SequenceEqual(y.Values ?? []);

        public int GetHashCode(FormField obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}
