using System.Globalization;
using System.Xml.Linq;
using TaskService.Tasks;

namespace TaskService.Workflows.Bpmn;

/// <summary>
/// Reads a user task's form from Camunda Modeler's generated task form: <c>extensionElements/camunda:formData</c> with
/// <c>camunda:formField</c> children (<c>id</c>, <c>label</c>, <c>type</c> string/long/boolean/date/enum, <c>defaultValue</c>,
/// enum <c>camunda:value</c>s) and their <c>camunda:validation/camunda:constraint</c>s (required, minlength, maxlength, min,
/// max; readonly is accepted and not enforced). Anything else in a form is refused at deployment, naming the element.
/// </summary>
public static class BpmnFormReader
{
    private static readonly XNamespace Camunda = BpmnParser.CamundaNamespace;
    private static readonly XNamespace Model = BpmnParser.ModelNamespace;

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "string", "long", "boolean", "date", "enum" };

    /// <summary>The form of the user task element, or null when it declares none.</summary>
    public static UserTaskForm? Read(XElement userTask, string elementId)
    {
        ArgumentNullException.ThrowIfNull(userTask);
        var formData = userTask.Elements(Model + "extensionElements").Elements(Camunda + "formData").ToArray();
        if (formData.Length == 0)
        {
            return null;
        }

        if (formData.Length > 1)
        {
            throw new BpmnValidationException(elementId, $"userTask (id {elementId}) has {formData.Length} camunda:formData elements; keep one.");
        }

        var fields = new List<FormField>();
        foreach (var xml in formData[0].Elements(Camunda + "formField"))
        {
            var field = ReadField(xml, elementId);
            if (fields.Any(f => f.Id == field.Id))
            {
                throw new BpmnValidationException(elementId, $"The form of userTask (id {elementId}) has two fields with id '{field.Id}'; field ids must differ.");
            }

            fields.Add(field);
        }

        return new UserTaskForm { Fields = fields };
    }

    private static FormField ReadField(XElement xml, string elementId)
    {
        var id = NullIfEmpty((string?)xml.Attribute("id"))
            ?? throw new BpmnValidationException(elementId, $"A form field of userTask (id {elementId}) has no id; set the field's ID (the variable it sets).");
        var type = NullIfEmpty((string?)xml.Attribute("type")) ?? "string";
        if (!Types.Contains(type))
        {
            throw new BpmnValidationException(elementId,
                $"Form field '{id}' of userTask (id {elementId}) has type '{type}'; supported types: string, long, boolean, date, enum.");
        }

        var values = type == "enum"
            ? xml.Elements(Camunda + "value").Select(v => NullIfEmpty((string?)v.Attribute("id"))
                ?? throw new BpmnValidationException(elementId, $"An enum value of form field '{id}' of userTask (id {elementId}) has no id.")).ToArray()
            : null;
        if (values is { Length: 0 })
        {
            throw new BpmnValidationException(elementId, $"Enum form field '{id}' of userTask (id {elementId}) has no values; add camunda:value entries.");
        }

        var field = new FormField
        {
            Id = id,
            Label = NullIfEmpty((string?)xml.Attribute("label")),
            Type = type,
            DefaultValue = (string?)xml.Attribute("defaultValue"),
            Values = values,
        };
        foreach (var constraint in xml.Elements(Camunda + "validation").Elements(Camunda + "constraint"))
        {
            field = Constrain(field, constraint, elementId);
        }

        return field;
    }

    private static FormField Constrain(FormField field, XElement constraint, string elementId)
    {
        var name = (string?)constraint.Attribute("name");
        var config = (string?)constraint.Attribute("config");
        return name switch
        {
            "required" => field with { Required = true },
            "readonly" => field,
            "minlength" => field with { MinLength = Length(field, name, config, elementId) },
            "maxlength" => field with { MaxLength = Length(field, name, config, elementId) },
            "min" => field with { Min = Bound(field, name, config, elementId) },
            "max" => field with { Max = Bound(field, name, config, elementId) },
            _ => throw new BpmnValidationException(elementId,
                $"Form field '{field.Id}' of userTask (id {elementId}) has the constraint '{name}'; supported: required, minlength, maxlength, min, max, readonly."),
        };
    }

    private static int Length(FormField field, string name, string? config, string elementId) =>
        field.Type == "string" && int.TryParse(config, NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            ? length
            : throw new BpmnValidationException(elementId,
                $"Constraint '{name}' of form field '{field.Id}' of userTask (id {elementId}) needs a string field and a whole number as config, got '{config}'.");

    private static long Bound(FormField field, string name, string? config, string elementId) =>
        field.Type == "long" && long.TryParse(config, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound)
            ? bound
            : throw new BpmnValidationException(elementId,
                $"Constraint '{name}' of form field '{field.Id}' of userTask (id {elementId}) needs a long field and a whole number as config, got '{config}'.");

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
