using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using TaskService.Commands;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// Runs the command of one Camunda external task, once to success. It activates on the silo whose worker fetched the task (so
/// the command runs where it was fetched), and a redelivery of the same task anywhere in the cluster reaches this activation.
/// The outcome is kept in memory: a redelivery after this activation was collected runs the command again, which commands
/// allow (they are idempotent per external task id).
/// </summary>
[PreferLocalPlacement]
public sealed partial class CamundaExternalTaskGrain(
    CommandRegistry commands,
    IOptions<WorkflowEngineOptions> options,
    ILogger<CamundaExternalTaskGrain> logger) : Grain, ICamundaExternalTaskGrain
{
    private CamundaCommandOutcome? _succeeded;

    private string ExternalTaskId => this.GetPrimaryKeyString();

    public async Task<CamundaCommandOutcome> RunAsync(CamundaExternalTaskWork work)
    {
        if (_succeeded is not null)
        {
            LogReplayed(ExternalTaskId, work.Topic);
            return _succeeded with { Replayed = true };
        }

        if (!commands.TryGet(work.Topic, out var command))
        {
            return CamundaCommandOutcome.Failed($"No command is registered for topic '{work.Topic}' in this silo.", null);
        }

        var context = new ExternalTaskContext(ExternalTaskId, work.Topic, work.ProcessInstanceId, work.Variables);
        using var timeout = new CancellationTokenSource(options.Value.CommandTimeout);
        try
        {
            var variables = await command.ExecuteAsync(context, timeout.Token);
            _succeeded = new CamundaCommandOutcome { Succeeded = true, Variables = new Dictionary<string, JsonElement>(variables, StringComparer.Ordinal) };
            return _succeeded;
        }
        catch (Exception exception)
        {
            var message = timeout.IsCancellationRequested
                ? $"Command '{work.Topic}' did not finish within {options.Value.CommandTimeout}: {exception.Message}"
                : exception.Message;
            LogCommandFailed(ExternalTaskId, work.Topic, exception);
            return CamundaCommandOutcome.Failed(message, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "External task {ExternalTaskId} ({Topic}) was delivered again; its command already succeeded and does not run again")]
    private partial void LogReplayed(string externalTaskId, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {Topic} failed for Camunda external task {ExternalTaskId}")]
    private partial void LogCommandFailed(string externalTaskId, string topic, Exception exception);
}
