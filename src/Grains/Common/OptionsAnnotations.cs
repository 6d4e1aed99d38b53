using System.ComponentModel.DataAnnotations;

namespace TaskService.Common;

/// <summary>The data annotations of an options object as failures that name the setting (<c>TaskService:Kafka:Incoming:GroupId</c>).</summary>
public static class OptionsAnnotations
{
    /// <summary>Adds a failure per annotation that <paramref name="options"/>, bound from <paramref name="section"/>, breaks.</summary>
    public static void Validate(object options, string section, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}
