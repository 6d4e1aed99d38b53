using System.Globalization;
using System.Xml.Linq;
using TaskService.Errors;
using TaskService.Tasks;

namespace TaskService.Workflows.Bpmn;

/// <summary>
/// Reads a user task's form from Camunda Modeler's generated task form: <c>extensionElements/camunda:formData</c> with
/// <c>camunda:formField</c> children (<c>id</c>, <c>label</c>, <c>type</c> string/long/boolean/date/enum, <c>defaultValue</c>,
/// enum <c>camunda:value</c>s) and their <c>camunda:validation/camunda:constraint</c>s (required, minlength, maxlength, min,
/// max; readonly is accepted and not enforced). Anything else in a form is a problem at deployment, naming the element.
/// </summary>
public static class BpmnFormReader
{
    private static readonly XNamespace Camunda = BpmnParser.CamundaNamespace;
    private static readonly XNamespace Model = BpmnParser.ModelNamespace;

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "string", "long", "boolean", "date", "enum" };

    /// <summary>The form of the user task element (null when it declares none), or the problem with it.</summary>
    public static Problem? Read(XElement userTask, string elementId, out UserTaskForm? form)
    {
        ArgumentNullException.ThrowIfNull(userTask);
        form = null;
        var formData = userTask.Elements(Model + "extensionElements").Elements(Camunda + "formData").ToArray();
        if (formData.Length == 0)
        {
            return null;
        }

        if (formData.Length > 1)
        {
            return Fault(elementId, $"userTask (id {elementId}) has {formData.Length} camunda:formData elements; keep one.");
        }

        var fields = new List<FormField>();
        foreach (var xml in formData[0].Elements(Camunda + "formField"))
        {
            if (ReadField(xml, elementId, out var field) is { } problem)
            {
                return problem;
            }

            if (fields.Any(f => f.Id == field.Id))
            {
                return Fault(elementId, $"The form of userTask (id {elementId}) has two fields with id '{field.Id}'; field ids must differ.");
            }

            fields.Add(field);
        }

        form = new UserTaskForm { Fields = fields };
        return null;
    }

    private static Problem? ReadField(XElement xml, string elementId, out FormField field)
    {
        field = null!;
        if (NullIfEmpty((string?)xml.Attribute("id")) is not { } id)
        {
            return Fault(elementId, $"A form field of userTask (id {elementId}) has no id; set the field's ID (the variable it sets).");
        }

        var type = NullIfEmpty((string?)xml.Attribute("type")) ?? "string";
        if (!Types.Contains(type))
        {
            return Fault(elementId,
                $"Form field '{id}' of userTask (id {elementId}) has type '{type}'; supported types: string, long, boolean, date, enum.");
        }

        string[]? values = null;
        if (type == "enum")
        {
            var ids = new List<string>();
            foreach (var value in xml.Elements(Camunda + "value"))
            {
                if (NullIfEmpty((string?)value.Attribute("id")) is not { } valueId)
                {
                    return Fault(elementId, $"An enum value of form field '{id}' of userTask (id {elementId}) has no id.");
                }

                ids.Add(valueId);
            }

            values = [.. ids];
        }

        if (values is { Length: 0 })
        {
            return Fault(elementId, $"Enum form field '{id}' of userTask (id {elementId}) has no values; add camunda:value entries.");
        }

        field = new FormField
        {
            Id = id,
            Label = NullIfEmpty((string?)xml.Attribute("label")),
            Type = type,
            DefaultValue = (string?)xml.Attribute("defaultValue"),
            Values = values,
        };
        foreach (var constraint in xml.Elements(Camunda + "validation").Elements(Camunda + "constraint"))
        {
            if (Constrain(field, constraint, elementId, out field) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static Problem? Constrain(FormField field, XElement constraint, string elementId, out FormField constrained)
    {
        constrained = field;
        var name = (string?)constraint.Attribute("name");
        var config = (string?)constraint.Attribute("config");
        switch (name)
        {
            case "required":
                constrained = field with { Required = true };
                return null;
            case "readonly":
                return null;
            case "minlength" or "maxlength":
                if (field.Type != "string" || !int.TryParse(config, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                {
                    return Fault(elementId,
                        $"Constraint '{name}' of form field '{field.Id}' of userTask (id {elementId}) needs a string field and a whole number as config, got '{config}'.");
                }

                constrained = name == "minlength" ? field with { MinLength = length } : field with { MaxLength = length };
                return null;
            case "min" or "max":
                if (field.Type != "long" || !long.TryParse(config, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound))
                {
                    return Fault(elementId,
                        $"Constraint '{name}' of form field '{field.Id}' of userTask (id {elementId}) needs a long field and a whole number as config, got '{config}'.");
                }

                constrained = name == "min" ? field with { Min = bound } : field with { Max = bound };
                return null;
            default:
                return Fault(elementId,
                    $"Form field '{field.Id}' of userTask (id {elementId}) has the constraint '{name}'; supported: required, minlength, maxlength, min, max, readonly.");
        }
    }

    private static Problem Fault(string elementId, string message) => BpmnProblem.At(elementId, message);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
