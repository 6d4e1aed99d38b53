using System.Diagnostics;
using OpenTelemetry.Trace;

namespace TaskService.Gateway.Observability;

/// <summary>
/// Samples everything the service does for its users and leaves out the traces Orleans' own housekeeping starts by itself
/// (stream queue polling every few milliseconds, membership, reminders, timers): those would bury one event's trace among
/// hundreds per second. Spans inside a trace follow their parent's decision.
/// </summary>
public sealed class HousekeepingSampler : Sampler
{
    private static readonly string[] HousekeepingPrefixes =
    [
        "IMemoryStreamQueueGrain/", "IGrainTimerInvoker/", "IMembershipTable/", "IReminderTable", "IPersistentStreamPulling",
        "IDeploymentLoadPublisher/", "ISiloControl/", "IMembershipService", "IRemoteGrainDirectory/", "IReminderService/",
    ];

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var parent = samplingParameters.ParentContext;
        if (parent.TraceId != default)
        {
            return new SamplingResult((parent.TraceFlags & ActivityTraceFlags.Recorded) != 0);
        }

        foreach (var prefix in HousekeepingPrefixes)
        {
            if (samplingParameters.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return new SamplingResult(SamplingDecision.Drop);
            }
        }

        return new SamplingResult(SamplingDecision.RecordAndSample);
    }
}
