using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using TaskService.Common;

namespace TaskService.Connectors.Kafka;

/// <summary>Checks <see cref="KafkaOptions"/> at start, with messages that name the setting to fix.</summary>
public sealed partial class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        var failures = new List<string>();
        OptionsAnnotations.Validate(options, KafkaOptions.SectionName, failures);
        OptionsAnnotations.Validate(options.Incoming, $"{KafkaOptions.SectionName}:Incoming", failures);
        OptionsAnnotations.Validate(options.Outgoing, $"{KafkaOptions.SectionName}:Outgoing", failures);

        if ((options.Incoming.Enabled || options.Outgoing.Enabled) && string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            failures.Add($"{KafkaOptions.SectionName}:BootstrapServers is required when Kafka is enabled (host:port, comma-separated).");
        }
        else if ((options.Incoming.Enabled || options.Outgoing.Enabled) && MalformedServer(options.BootstrapServers!) is { } server)
        {
            failures.Add($"{KafkaOptions.SectionName}:BootstrapServers holds {(server.Length == 0 ? "an empty entry" : $"'{server}'")}, which is not a broker's host:port; write host:port entries separated by commas, such as kafka-1:9092,kafka-2:9092.");
        }

        if (options.Incoming.Enabled)
        {
            if (options.Incoming.Topics.Count == 0 || options.Incoming.Topics.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{KafkaOptions.SectionName}:Incoming:Topics must list at least one topic, none of them empty.");
            }

            foreach (var topic in options.Incoming.Topics)
            {
                CheckTopicName(topic, "Incoming:Topics", failures);
            }

            CheckTopicName(options.Incoming.DeadLetterTopic, "Incoming:DeadLetterTopic", failures);

            if (options.Incoming.KeySource != KafkaEventKeySource.Topic && string.IsNullOrWhiteSpace(options.Incoming.Key))
            {
                failures.Add($"{KafkaOptions.SectionName}:Incoming:Key must name the {(options.Incoming.KeySource == KafkaEventKeySource.Field ? "JSON field path" : "header")} the event key comes from.");
            }

            if (options.Incoming.Topics.Contains(options.Incoming.DeadLetterTopic, StringComparer.Ordinal))
            {
                failures.Add($"{KafkaOptions.SectionName}:Incoming:DeadLetterTopic must not be one of the incoming topics.");
            }
        }

        if (options.Outgoing.Enabled && string.IsNullOrWhiteSpace(options.Outgoing.Topic))
        {
            failures.Add($"{KafkaOptions.SectionName}:Outgoing:Topic is required when outgoing Kafka is enabled.");
        }
        else if (options.Outgoing.Enabled)
        {
            CheckTopicName(options.Outgoing.Topic, "Outgoing:Topic", failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The first entry of a <c>bootstrap.servers</c> list that is not <c>[protocol://]host:port</c>, if any.</summary>
    private static string? MalformedServer(string servers) =>
        servers.Split(',').Select(s => s.Trim()).FirstOrDefault(server =>
        {
            var match = BrokerAddress().Match(server);
            return !match.Success
                || !int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                || port is < 1 or > 65535;
        });

    /// <summary>
    /// Kafka's own rule: 1 to 249 of ASCII letters, digits, '.', '_' and '-', and neither "." nor ".." (an empty name is
    /// reported by the check that requires the setting).
    /// </summary>
    private static void CheckTopicName(string? topic, string setting, List<string> failures)
    {
        if (!string.IsNullOrWhiteSpace(topic) && (!TopicName().IsMatch(topic) || topic is "." or ".."))
        {
            failures.Add($"{KafkaOptions.SectionName}:{setting} holds '{topic}', which is not a Kafka topic name: use 1 to 249 letters, digits, '.', '_' or '-'.");
        }
    }

    [GeneratedRegex(@"^(?:[A-Za-z_]+://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?):(?<port>[0-9]{1,5})$")]
    private static partial Regex BrokerAddress();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,249}$")]
    private static partial Regex TopicName();
}
