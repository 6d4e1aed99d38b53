namespace TaskService.Workflows.Camunda;

/// <summary>The Camunda variable type TaskService writes JSON objects and arrays as.</summary>
public enum CamundaJsonVariableType
{
    /// <summary>
    /// <c>{"type": "Object", "value": "&lt;JSON text&gt;", "valueInfo": {"objectTypeName": "java.util.LinkedHashMap&lt;java.lang.String,java.lang.Object&gt;",
    /// "serializationDataFormat": "application/json"}}</c> (<c>java.util.ArrayList&lt;java.lang.Object&gt;</c> for arrays): the engine
    /// deserializes it into Java maps and lists, whose properties and items expressions reach as the embedded engine's do.
    /// </summary>
    Object,

    /// <summary><c>{"type": "Json", "value": "&lt;JSON text&gt;"}</c>: Camunda Spin's JSON value type, read in expressions through Spin's API.</summary>
    Json,
}
