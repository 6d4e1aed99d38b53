using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;
using TaskService.Common;

namespace TaskService.Gateway.Hosting;

/// <summary>
/// What a person reads when the service cannot start: one message that names the setting (or the command) that fixes it,
/// instead of an unhandled exception with its stack trace. Settings that cannot work (a missing secret, a duration that is
/// not one, a port out of range, an unreachable database) are what stops a start; the stack trace of such a failure says
/// nothing the message does not, so it is left out. A failure of another kind keeps its full description, for a bug report.
/// </summary>
public static partial class StartupFailure
{
    /// <summary>The first words of the message, so that it can be found in a log.</summary>
    public const string Prefix = "TaskService did not start: ";

    /// <summary>
    /// Builds, validates and starts the application, and waits for it to stop. A start that fails prints
    /// <see cref="Describe"/> on standard error and returns 1; a clean stop returns 0.
    /// </summary>
    /// <param name="build">Builds the application (reads the configuration).</param>
    /// <param name="beforeStart">Checks that need the configuration but must pass before anything starts (the database).</param>
    public static async Task<int> RunAsync(Func<WebApplication> build, Func<WebApplication, CancellationToken, Task>? beforeStart = null)
    {
        // Asked before building: a factory stops listening once it has the application.
        var factory = AHostFactoryTakesTheApplication();
        WebApplication? app = null;
        LateStartFailure? late = null;
        try
        {
            app = build();
            late = app.Services.GetService<LateStartFailure>();

            // Options validated at start are checked here, before Orleans or any hosted service runs, so a bad setting
            // stops the start with its own message rather than half-way through it.
            app.Services.GetService<IStartupValidator>()?.Validate();
            if (beforeStart is not null)
            {
                await beforeStart(app, app.Lifetime.ApplicationStopping);
            }

            await app.StartAsync();
        }
        catch (Exception exception) when (exception is not HostAbortedException && !factory)
        {
            // HostAbortedException is how a host factory (WebApplicationFactory) may take the built application and end Main;
            // a failed start under such a factory is the factory's to report, so it gets the exception itself.
            if (app is not null)
            {
                await StopQuietlyAsync(app);
            }

            // After the host is gone, so that its console logger has written everything before this last line. A part that
            // failed in the background while the start failed is named too, after the start's own failure.
            await Console.Error.WriteLineAsync(Prefix + Describe(exception));
            if (late?.Exception is { } background)
            {
                await Console.Error.WriteLineAsync(Prefix + Describe(background));
            }

            return 1;
        }

        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        if (late?.Exception is { } failure && !factory)
        {
            await Console.Error.WriteLineAsync(Prefix + Describe(failure));
            return 1;
        }

        return 0;
    }

    /// <summary>The message for a failed start: the setting and the fix for the failures a configuration causes.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            return Describe(aggregate.InnerExceptions[0]);
        }

        return exception switch
        {
            OptionsValidationException invalid => DescribeInvalidOptions(invalid),
            NpgsqlException database =>
                $"PostgreSQL cannot be reached ({ExceptionMessages.Of(database)}). Fix: check ConnectionStrings:TaskService (host, port, " +
                "database, user name and password) and that the server is running and reachable from here.",
            _ when AddressInUse(exception) =>
                $"{ExceptionMessages.Of(exception)}. Fix: stop what listens there, or choose other ports (Urls for HTTP, " +
                "Orleans:Endpoints:SiloPort and GatewayPort for Orleans).",
            InvalidOperationException when exception.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
                ExceptionMessages.Of(exception) + FormatHint(exception),
            InvalidOperationException or ArgumentException or FormatException or TimeoutException => ExceptionMessages.Of(exception),
            _ when exception.GetType().Name == "MigrationException" => exception.Message,
            _ => exception.ToString(),
        };
    }

    /// <summary>
    /// Whether a host factory runs this program to take the application it builds (as WebApplicationFactory does): such a
    /// factory listens to the hosting diagnostics, which nothing does when the program runs on its own.
    /// </summary>
    private static bool AHostFactoryTakesTheApplication()
    {
        using var hosting = new DiagnosticListener("Microsoft.Extensions.Hosting");
        return hosting.IsEnabled();
    }

    private static bool AddressInUse(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    private static async Task StopQuietlyAsync(WebApplication app)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(timeout.Token);
        }
        catch (Exception)
        {
            // The start failed already; what stopping its parts adds would hide the reason.
        }

        try
        {
            await app.DisposeAsync();
        }
        catch (Exception)
        {
            // As above.
        }
    }

    /// <summary>
    /// Data-annotation failures name the options class and its property; the message names the setting instead
    /// (<c>TaskService:Webhooks:MaxAttempts</c>), from the class's <c>SectionName</c>.
    /// </summary>
    private static string DescribeInvalidOptions(OptionsValidationException exception)
    {
        var section = exception.OptionsType.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;
        var failures = exception.Failures.Select(failure =>
        {
            var match = DataAnnotationFailure().Match(failure);
            if (!match.Success)
            {
                return failure;
            }

            var member = match.Groups["member"].Value;
            var setting = section is null ? member : $"{section}:{member}";
            return $"{setting}: {match.Groups["error"].Value}";
        });
        return "invalid configuration: " + string.Join(" ", failures);
    }

    private static string FormatHint(Exception exception)
    {
        var message = exception.Message;
        if (message.Contains("'System.TimeSpan'", StringComparison.Ordinal))
        {
            return " Write a duration as [d.]hh:mm:ss, for example 00:00:10 for 10 seconds or 1.00:00:00 for a day.";
        }

        if (message.Contains("'System.Boolean'", StringComparison.Ordinal))
        {
            return " Write true or false.";
        }

        return message.Contains("'System.Int", StringComparison.Ordinal) ? " Write a whole number." : "";
    }

    [GeneratedRegex("^DataAnnotation validation failed for '[^']*' members: '(?<member>[^']*)' with the error: '(?<error>.*)'\\.$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();
}
