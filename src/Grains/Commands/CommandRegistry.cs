using System.Diagnostics.CodeAnalysis;

namespace TaskService.Commands;

/// <summary>The commands registered in this silo, by topic.</summary>
public sealed class CommandRegistry
{
    private readonly Dictionary<string, IExternalTaskCommand> _commands;

    public CommandRegistry(IEnumerable<IExternalTaskCommand> commands)
    {
        _commands = new Dictionary<string, IExternalTaskCommand>(StringComparer.Ordinal);
        foreach (var command in commands)
        {
            if (!_commands.TryAdd(command.Topic, command))
            {
                throw new InvalidOperationException(
                    $"Two commands are registered for topic '{command.Topic}': {_commands[command.Topic].GetType().FullName} and {command.GetType().FullName}. Register one command per topic.");
            }
        }
    }

    public IReadOnlyCollection<string> Topics => _commands.Keys;

    public bool TryGet(string topic, [NotNullWhen(true)] out IExternalTaskCommand? command) => _commands.TryGetValue(topic, out command);
}
