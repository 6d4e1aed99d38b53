using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace TaskService.Connectors.Kafka;

/// <summary>Checks <see cref="KafkaOptions"/> at start, with messages that name the setting to fix.</summary>
public sealed class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        var failures = new List<string>();
        Annotations(options, KafkaOptions.SectionName, failures);
        Annotations(options.Incoming, $"{KafkaOptions.SectionName}:Incoming", failures);
        Annotations(options.Outgoing, $"{KafkaOptions.SectionName}:Outgoing", failures);

        if ((options.Incoming.Enabled || options.Outgoing.Enabled) && string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            failures.Add($"{KafkaOptions.SectionName}:BootstrapServers is required when Kafka is enabled (host:port, comma-separated).");
        }

        if (options.Incoming.Enabled)
        {
            if (options.Incoming.Topics.Count == 0 || options.Incoming.Topics.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{KafkaOptions.SectionName}:Incoming:Topics must list at least one topic, none of them empty.");
            }

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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Annotations(object options, string section, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}
