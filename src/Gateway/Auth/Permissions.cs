namespace TaskService.Gateway.Auth;

/// <summary>The permission codes of the HTTP API, as the <c>permissions</c> claim of a bearer token carries them.</summary>
public static class Permissions
{
    public const string CreateApiKey = "16001";
    public const string ViewEvent = "16002";
    public const string ViewTask = "16003";
    public const string ViewUserTask = "16004";
    public const string CompleteUserTask = "16005";
    public const string MapTask = "16006";
    public const string TriggerEvent = "16007";
    public const string DeleteTask = "16008";
    public const string DeleteUserTask = "16009";
    public const string SubscribeToWebhook = "16010";
    public const string UpdateTask = "16011";

    // Codes of this service after the original's 16001-16011: the user-task inbox, claim and assign, and task history.

    /// <summary>Claim an unassigned user task for oneself, and unclaim one's own.</summary>
    public const string ClaimUserTask = "16012";

    /// <summary>Set or clear the assignee of any pending user task (<c>PUT .../assignee</c>).</summary>
    public const string AssignUserTask = "16013";

    /// <summary>Override: complete or unclaim a user task assigned to someone else.</summary>
    public const string CompleteAnyUserTask = "16014";

    /// <summary>Read a task's history (<c>GET /tasks/{id}/history</c>).</summary>
    public const string ViewTaskHistory = "16015";

    /// <summary>Workflow permissions: each accepts its number or its name, as the original's workflow service does.</summary>
    public static class Workflow
    {
        public const string View = "ViewWorkflow";
        public const string Create = "CreateWorkflow";
        public const string Update = "UpdateWorkflow";
        public const string Delete = "DeleteWorkflow";
        public const string Execute = "ExecuteWorkflow";

        /// <summary>Policy name to the claim values that satisfy it.</summary>
        public static IReadOnlyDictionary<string, string[]> Accepted { get; } = new Dictionary<string, string[]>
        {
            [View] = ["1", View],
            [Create] = ["2", Create],
            [Update] = ["3", Update],
            [Delete] = ["4", Delete],
            [Execute] = ["5", Execute],
        };
    }

    /// <summary>Opens the Orleans dashboard outside Development (an operator's permission of this service, not of the original).</summary>
    public const string ViewDashboard = "ViewDashboard";

    /// <summary>The name of the claim that holds the codes.</summary>
    public const string ClaimType = "permissions";

    public static IReadOnlyList<string> All { get; } =
    [
        CreateApiKey, ViewEvent, ViewTask, ViewUserTask, CompleteUserTask, MapTask, TriggerEvent, DeleteTask, DeleteUserTask,
        SubscribeToWebhook, UpdateTask, ClaimUserTask, AssignUserTask, CompleteAnyUserTask, ViewTaskHistory,
    ];
}
