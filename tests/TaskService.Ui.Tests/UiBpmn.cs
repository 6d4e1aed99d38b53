namespace TaskService.Ui.Tests;

/// <summary>BPMN files with diagram interchange, as Camunda Modeler writes them, for the UI tests.</summary>
public static class UiBpmn
{
    /// <summary>Start -> service task <c>CreateTasks</c> (topic create-tasks) -> end.</summary>
    public static string CreateTasks(string processId) => BpmnBuilder.Process(processId)
        .StartEvent("StartEvent_1", "Event received")
        .ServiceTask("CreateTasks", "create-tasks", "Create tasks")
        .EndEvent("EndEvent_1", "Done")
        .WithDiagram()
        .Build();

    /// <summary>
    /// Start -> user task <c>CheckInvoice</c> (offered to <paramref name="group"/>, form: amount, a required whole number of at most
    /// 500, and decision, approve or reject) -> exclusive gateway -> user task <c>FileInvoice</c> -> end.
    /// </summary>
    public static string Review(string processId, string group) => BpmnBuilder.Process(processId)
        .StartEvent("StartEvent_1", "Task created")
        .UserTask("CheckInvoice", "Check the invoice", candidateGroups: group, form: BpmnBuilder.AmountAndDecisionForm)
        .ExclusiveGateway("Gateway_1", "Checked")
        .UserTask("FileInvoice", "File the invoice", candidateGroups: group)
        .EndEvent("EndEvent_1", "Filed")
        .WithDiagram()
        .Build();
}
