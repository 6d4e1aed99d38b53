using System.Text;

namespace TaskService.Common;

/// <summary>What an exception says, without its stack: for a log line or message that names the reason of a failure.</summary>
public static class ExceptionMessages
{
    /// <summary>The exception's message followed by those of its inner exceptions that add something.</summary>
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var text = new StringBuilder(exception.Message.TrimEnd('.'));
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            var message = inner.Message.TrimEnd('.');
            if (message.Length > 0 && !text.ToString().Contains(message, StringComparison.Ordinal))
            {
                text.Append(": ").Append(message);
            }
        }

        return text.Append('.').ToString();
    }
}
