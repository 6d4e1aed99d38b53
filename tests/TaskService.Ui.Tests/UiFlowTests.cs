using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TaskService.Ui.Tests;

/// <summary>The web UI in a real browser: sign in, the inbox, a user task's form, history, the instance diagram and incidents.</summary>
[Collection(UiCollection.Name)]
public sealed partial class UiFlowTests(UiFixture fixture)
{
    private static readonly TimeSpan UiDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AUserClaimsAndCompletesAnEventsUserTaskThroughItsFormAndFollowsItOnTheDiagram()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (user, group) = ($"alice-{suffix}", $"reviewers-{suffix}");
        var api = fixture.Host.Api();
        var (parentId, reviewId) = ($"ui-intake-{suffix}", $"ui-review-{suffix}");
        await fixture.Host.PostAsync(api, "/workflows", new { name = $"Invoice intake {suffix}", bpmnFile = UiBpmn.CreateTasks(parentId), inputSchema = new { type = "object" } });
        await fixture.Host.PostAsync(api, "/workflows", new { name = $"Invoice review {suffix}", bpmnFile = UiBpmn.Review(reviewId, group), inputSchema = new { type = "object" } });
        var (eventKey, taskKey) = ($"invoice.received.{suffix}", $"review-invoice-{suffix}");
        await fixture.Host.PostAsync(api, "/events/mapping", new { eventKey, workflowKey = parentId });
        await fixture.Host.PostAsync(api, "/tasks/mapping", new { taskKey, workflowKey = reviewId });
        await fixture.Host.PostAsync(
            api, "/events/trigger", TestEvent.Keyed(eventKey).From("billing").Described("An invoice arrived").CreatingTask(taskKey, $"Invoice {suffix}").Trigger);

        // The event's workflow creates the task, whose workflow offers "Check the invoice" to the group.
        await Eventually.ReturnsAsync(
            () => UiHost.GetAsync(api, $"/user-tasks?filter={Uri.EscapeDataString(JsonSerializer.Serialize(new { where = new { candidateGroups = new { contains = group } } }))}"),
            rows => rows.GetArrayLength() == 1, UiDeadline, "the event's task offers its user task to the group");

        var page = await fixture.NewPageAsync();
        await SignInAsync(page, user, group);

        // My groups shows it; claiming moves it to Mine.
        await page.GetByRole(AriaRole.Link, new() { Name = "My groups" }).ClickAsync();
        var card = page.Locator("li.card", new() { HasText = "Check the invoice" });
        await Expect(card).ToBeVisibleAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Claim Check the invoice" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Claimed");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Mine" })).ToHaveAttributeAsync("aria-current", "page");
        card = page.Locator("li.card", new() { HasText = "Check the invoice" });
        await Expect(card).ToContainTextAsync(user);
        await Screenshots.TakeAsync(page, "inbox");

        // The form: labelled fields with required markers; a value over the form's maximum is refused next to its field.
        await card.GetByRole(AriaRole.Link, new() { Name = "Complete Check the invoice" }).ClickAsync();
        var amount = page.GetByLabel("Amount");
        await Expect(amount).ToBeVisibleAsync();
        await Expect(page.Locator("label[for=field-amount] .required")).ToBeVisibleAsync();
        await amount.FillAsync("1000");
        await page.GetByLabel("Decision").SelectOptionAsync("approve");
        await amount.PressAsync("Enter");
        await Expect(page.Locator("#field-amount-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#field-amount-error")).ToContainTextAsync("500");
        await Expect(amount).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(amount).ToHaveValueAsync("1000");

        await amount.FillAsync("250");
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();

        // The task page: completed, the next user task pending, and the history of both.
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Completed");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Invoice {suffix}" })).ToBeVisibleAsync();
        var history = page.GetByRole(AriaRole.List, new() { Name = "History, oldest first" });
        await Expect(history).ToContainTextAsync("claimed");
        await Expect(history).ToContainTextAsync("completed");
        await Expect(history).ToContainTextAsync($"assignee: (none) → {user}");
        await Expect(page.Locator("li.card", new() { HasText = "File the invoice" })).ToContainTextAsync("pending");
        await Screenshots.TakeAsync(page, "task");

        // The instance: the diagram drawn from the file's shapes and edges, with the next user task highlighted.
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the diagram" }).ClickAsync();
        var diagram = page.Locator("svg.diagram");
        await Expect(diagram).ToBeVisibleAsync();
        await Expect(diagram.Locator("g.shape")).ToHaveCountAsync(5);
        await Expect(diagram.Locator("polyline.flow")).ToHaveCountAsync(4);
        await Expect(diagram.Locator("g[data-element-id=FileInvoice]")).ToHaveClassAsync(new Regex(@"\bactive\b"));
        await Expect(diagram.Locator("g[data-element-id=CheckInvoice]")).Not.ToHaveClassAsync(new Regex(@"\bactive\b"));
        await Expect(diagram.Locator("g[data-element-id=Gateway_1] polygon")).ToHaveCountAsync(1);
        await Expect(diagram.Locator("g[data-element-id=StartEvent_1] circle")).ToHaveCountAsync(1);
        await Expect(diagram.Locator("g[data-element-id=FileInvoice] rect")).ToHaveAttributeAsync("rx", "10");
        await Expect(diagram.Locator("g[data-element-id=FileInvoice] text")).ToHaveTextAsync("File the invoice");
        await Screenshots.TakeAsync(page, "instance");
    }

    [Fact]
    public async Task AnOperatorSeesAnIncidentOnTheDiagramAndRetriesIt()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var api = fixture.Host.Api();
        var processId = $"ui-failing-{suffix}";
        var workflow = await fixture.Host.PostAsync(api, "/workflows", new { name = $"Failing intake {suffix}", bpmnFile = UiBpmn.CreateTasks(processId), inputSchema = new { type = "object" } });
        var eventKey = $"broken.{suffix}";
        await fixture.Host.PostAsync(api, "/events/mapping", new { eventKey, workflowKey = processId });

        // No 'tasks' variable: create-tasks fails, and with no retries configured the instance shows an incident.
        await fixture.Host.PostAsync(api, "/events/trigger", new { key = eventKey, source = "billing", payload = new { note = "no tasks" } });
        var workflowId = workflow.GetProperty("id").GetString()!;
        var instances = await Eventually.ReturnsAsync(
            () => UiHost.GetAsync(api, $"/workflow-instances?filter={Uri.EscapeDataString(JsonSerializer.Serialize(new { where = new { workflowId, incidents = new { gt = 0 } } }))}"),
            rows => rows.GetArrayLength() == 1, UiDeadline, "the failing command leaves an incident");
        var instanceId = instances[0].GetProperty("id").GetString()!;
        var before = (await UiHost.GetAsync(api, $"/workflow-instances/{instanceId}")).GetProperty("incidents")[0].GetProperty("id").GetString();

        var page = await fixture.NewPageAsync();
        await SignInAsync(page, $"operator-{suffix}", "operators");
        await page.GotoAsync($"/ui/workflows/{workflowId}");
        await page.GetByRole(AriaRole.Link, new() { Name = instanceId }).ClickAsync();

        var incident = page.Locator("li.incident");
        await Expect(incident).ToContainTextAsync("At CreateTasks");
        await Expect(incident).ToContainTextAsync("tasks");
        await Expect(page.Locator("svg.diagram g[data-element-id=CreateTasks]")).ToHaveClassAsync(new Regex(@"\bfailed\b"));
        await Expect(page.Locator("svg.diagram g[data-element-id=CreateTasks] .incident-mark")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel the instance" })).ToBeVisibleAsync();
        await Expect(page.Locator("body")).Not.ToContainTextAsync(" at TaskService.");

        await incident.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Retried");

        // The step ran again and failed again (the cause is not fixed): a new incident replaces the retried one.
        var after = await Eventually.ReturnsAsync(
            async () => (await UiHost.GetAsync(api, $"/workflow-instances/{instanceId}")).GetProperty("incidents"),
            incidents => incidents.GetArrayLength() == 1 && incidents[0].GetProperty("id").GetString() != before, UiDeadline, "the retried step fails again with a new incident");
        await page.ReloadAsync();
        await Expect(page.Locator("li.incident form input[name=incidentId]")).ToHaveValueAsync(after[0].GetProperty("id").GetString()!);

        // The operator gives up on it: the instance is canceled.
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the instance" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Canceled");
        await Expect(page.Locator("#instance-status")).ToHaveTextAsync("canceled");
    }

    [Fact]
    public async Task AWorkflowIsDeployedByUploadAndListedWithItsVersions()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var page = await fixture.NewPageAsync();
        await SignInAsync(page, $"designer-{suffix}", "designers");
        await page.GetByRole(AriaRole.Link, new() { Name = "Workflows" }).ClickAsync();

        // Without a file the form says so next to the file field.
        await page.GetByLabel("Name").FillAsync($"Uploaded {suffix}");
        await page.Locator("form[aria-labelledby=deploy-title]").EvaluateAsync("form => form.noValidate = true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Deploy" }).ClickAsync();
        await Expect(page.Locator("#deploy-file-error")).ToContainTextAsync("Choose a BPMN file");

        await page.GetByLabel("Name").FillAsync($"Uploaded {suffix}");
        await page.GetByLabel("BPMN file").SetInputFilesAsync(new FilePayload
        {
            Name = "review.bpmn",
            MimeType = "application/xml",
            Buffer = System.Text.Encoding.UTF8.GetBytes(UiBpmn.Review($"ui-upload-{suffix}", "designers")),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Deploy" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("as version 1");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Uploaded {suffix}" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync($"ui-upload-{suffix}");

        await page.GetByRole(AriaRole.Link, new() { Name = "Workflows" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = $"Uploaded {suffix}" })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "workflows");
    }

    /// <summary>The development sign-in, submitted with Enter from the keyboard.</summary>
    internal static async Task SignInAsync(IPage page, string user, string groups, params string[] onlyPermissions)
    {
        await page.GotoAsync("/ui");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Development sign-in" })).ToBeVisibleAsync();
        await page.GetByLabel("Groups (comma separated)").FillAsync(groups);
        if (onlyPermissions.Length > 0)
        {
            foreach (var box in await page.GetByRole(AriaRole.Checkbox).AllAsync())
            {
                var code = await box.GetAttributeAsync("value");
                await box.SetCheckedAsync(onlyPermissions.Contains(code));
            }
        }

        var userId = page.GetByLabel("User id");
        await userId.FillAsync(user);
        await userId.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inbox" })).ToBeVisibleAsync();
        await Expect(page.Locator(".who")).ToContainTextAsync(user);
    }
}
