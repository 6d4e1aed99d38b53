using System.Text.Json;

namespace TaskService.Commands;

/// <summary>
/// Code a workflow runs at an external service task or external message event of topic <see cref="Topic"/>.
/// The same code runs on the embedded engine and as a Camunda external-task worker. A command may run more than once for
/// the same external task (a retry, a redelivery): running it twice must have the effect of running it once.
/// </summary>
public interface IExternalTaskCommand
{
    string Topic { get; }

    /// <summary>Runs the command and returns the variables to set on the instance (empty for none). Throwing reports a failure.</summary>
    Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken);
}
