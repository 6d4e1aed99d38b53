using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace TaskService.Testing;

/// <summary>
/// Records, while it lives, every first-chance exception thrown by TaskService's own product code (its assemblies, not the
/// tests'), caught or not. Exceptions are seen process-wide: a test using it runs in a collection that runs alone.
/// </summary>
public sealed class ThrownByTaskService : IDisposable
{
    private readonly ConcurrentQueue<string> _thrown = new();

    private readonly string? _peerNamespace;

    /// <param name="peerNamespace">
    /// The namespace of a test peer that stands in for another system and runs TaskService code in its place (the engine-rest
    /// stand-in evaluates conditions with our expression evaluator, where Camunda would use its own): exceptions thrown while a
    /// frame of that namespace is on the stack are the peer's, not the service's.
    /// </param>
    public ThrownByTaskService(string? peerNamespace = null)
    {
        _peerNamespace = peerNamespace;
        AppDomain.CurrentDomain.FirstChanceException += Record;
    }

    /// <summary>Each exception: its type, the type that threw it, its message.</summary>
    public IReadOnlyCollection<string> Thrown => _thrown;

    public void Dispose() => AppDomain.CurrentDomain.FirstChanceException -= Record;

    /// <summary>Product code only: the service's assemblies, not the tests' own.</summary>
    public static bool IsOurs(Exception exception) =>
        exception.TargetSite?.DeclaringType?.Assembly.GetName().Name is { } assembly
        && assembly.StartsWith("TaskService", StringComparison.Ordinal)
        && !assembly.EndsWith(".Tests", StringComparison.Ordinal)
        && !assembly.StartsWith("TaskService.Testing", StringComparison.Ordinal);

    private void Record(object? sender, FirstChanceExceptionEventArgs e)
    {
        if (IsOurs(e.Exception) && !InPeer())
        {
            _thrown.Enqueue($"{e.Exception.GetType().Name} from {e.Exception.TargetSite?.DeclaringType?.FullName}: {e.Exception.Message}");
        }
    }

    /// <summary>Whether the exception being thrown on this thread is thrown on the peer's behalf: a frame of the peer is on the stack.</summary>
    private bool InPeer() =>
        _peerNamespace is { } peer
        && new StackTrace(skipFrames: 1).GetFrames().Any(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith(peer, StringComparison.Ordinal) == true);
}
