namespace TaskService.Workflows.Camunda;

/// <summary>The Camunda variable type TaskService writes JSON objects and arrays as.</summary>
public enum CamundaJsonVariableType
{
    /// <summary><c>{"type": "Json", "value": "&lt;JSON text&gt;"}</c>: Camunda Spin's JSON value type.</summary>
    Json,

    /// <summary><c>{"type": "Object", "value": "&lt;JSON text&gt;", "valueInfo": {"objectTypeName": "java.util.LinkedHashMap", "serializationDataFormat": "application/json"}}</c>.</summary>
    Object,
}
