namespace TaskService.Common;

/// <summary>
/// An error as it may leave the service (API answers, incident details): the messages of the exception and of the exceptions
/// that caused it, without stack traces, source file paths or .NET type names. Logs keep the full exception.
/// </summary>
public static class PublicErrorText
{
    private const int MaxCauses = 5;

    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var messages = new List<string>();
        for (var current = exception; current is not null && messages.Count < MaxCauses; current = current.InnerException)
        {
            if (!string.IsNullOrWhiteSpace(current.Message) && !messages.Contains(current.Message))
            {
                messages.Add(current.Message);
            }
        }

        return string.Join(Environment.NewLine + "Caused by: ", messages);
    }
}
