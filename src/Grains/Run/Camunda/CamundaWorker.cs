using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Commands;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Serialization;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// The external-task worker of one silo: long-polls <c>fetchAndLock</c> for every topic a command is registered for, runs up to
/// <see cref="CamundaOptions.MaxTasks"/> tasks at once (each through its <see cref="ICamundaExternalTaskGrain"/>, so a redelivered
/// task runs its command once), extends locks while commands run, completes tasks whose command succeeded and reports failures
/// with decreasing retries and a growing retry timeout, so Camunda raises an incident when they run out. A failed poll
/// (engine unreachable) is followed by a backoff that grows with jitter; polling never stops until the silo does.
/// </summary>
/// <remarks>
/// A hosted service rather than a grain: every silo must poll exactly once, which a per-process service gives without placement
/// rules or keep-alive timers, and a 30-second long poll must not occupy a grain's turn. Command runs are grain calls, so
/// deduplication holds across silos.
/// </remarks>
public sealed partial class CamundaWorker(
    CamundaClient camunda,
    IGrainFactory grains,
    CommandRegistry commands,
    IOptions<CamundaOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<CamundaWorker> logger) : BackgroundService
{
    private readonly CamundaOptions _options = options.Value;

    /// <summary>How far a poll backoff may stray from its doubling value, either way (never past <see cref="CamundaOptions.MaxPollBackoff"/>).</summary>
    public const double PollJitter = 0.2;

    public CamundaWorkerStats Stats { get; } = new();

    public string WorkerId => _options.EffectiveWorkerId;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Commands call grains, which answer once the silo has started.
        if (!await HostedServiceWaits.WaitForStartAsync(lifetime, stoppingToken))
        {
            return;
        }

        var topics = commands.Topics.OrderBy(t => t, StringComparer.Ordinal).ToArray();
        if (topics.Length == 0)
        {
            LogNoTopics();
            return;
        }

        LogStarted(WorkerId, string.Join(", ", topics), _options.MaxTasks);
        var slots = new SemaphoreSlim(_options.MaxTasks, _options.MaxTasks);
        var running = new HashSet<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var free = 1;
            while (free < _options.MaxTasks && slots.Wait(0))
            {
                free++;
            }

            IReadOnlyList<CamundaExternalTask> locked;
            try
            {
                locked = await camunda.FetchAndLockAsync(FetchRequest(topics, free), stoppingToken);
                Stats.PollSucceeded(locked.Count);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                slots.Release(free);
                var failures = Stats.NextFailure();
                var backoff = PollBackoff(failures);
                Stats.PollFailed(backoff);
                CamundaInstruments.PollFailures.Add(1);
                LogPollFailed(failures, backoff, exception);
                if (!await DelayAsync(backoff, stoppingToken))
                {
                    break;
                }

                continue;
            }
            catch (OperationCanceledException)
            {
                slots.Release(free);
                break;
            }

            if (locked.Count < free)
            {
                slots.Release(free - locked.Count);
            }

            CamundaInstruments.ExternalTasksFetched.Add(locked.Count);
            foreach (var task in locked)
            {
                var handling = RunOneAsync(task, slots, stoppingToken);
                lock (running)
                {
                    running.Add(handling);
                }

                _ = handling.ContinueWith(
                    t =>
                    {
                        lock (running)
                        {
                            running.Remove(t);
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }

            // Without long polling an empty answer would make this loop spin.
            if (locked.Count == 0 && _options.LongPollTimeout < TimeSpan.FromSeconds(1) && !await DelayAsync(_options.PollBackoff, stoppingToken))
            {
                break;
            }
        }

        Task[] remaining;
        lock (running)
        {
            remaining = [.. running];
        }

        // Tasks not reported by now are fetched again once their locks run out.
        await Task.WhenAny(Task.WhenAll(remaining), Task.Delay(TimeSpan.FromSeconds(5), time, CancellationToken.None));
    }

    private CamundaFetchRequest FetchRequest(IReadOnlyList<string> topics, int maxTasks) => new()
    {
        WorkerId = WorkerId,
        MaxTasks = maxTasks,
        UsePriority = true,
        AsyncResponseTimeout = (long)_options.LongPollTimeout.TotalMilliseconds,
        Topics = topics.Select(topic => new CamundaFetchTopic
        {
            TopicName = topic,
            LockDuration = LockMilliseconds,
            DeserializeValues = false,
        }).ToArray(),
    };

    private long LockMilliseconds => (long)_options.LockDuration.TotalMilliseconds;

    /// <summary>Handles one fetched task and frees its slot, whatever happens.</summary>
    private async Task RunOneAsync(CamundaExternalTask task, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        Stats.Started();
        var succeeded = false;
        try
        {
            succeeded = await HandleAsync(task, stoppingToken);
        }
        catch (Exception exception)
        {
            LogHandlingFailed(task.Id, exception);
        }
        finally
        {
            slots.Release();
            Stats.Finished(succeeded);
        }
    }

    /// <summary>Runs the task's command and reports the outcome. Returns true when the command succeeded.</summary>
    private async Task<bool> HandleAsync(CamundaExternalTask task, CancellationToken stoppingToken)
    {
        var topic = task.TopicName ?? string.Empty;
        var variables = CamundaVariables.ToJson(task.Variables);
        var started = time.GetTimestamp();
        CamundaCommandOutcome outcome;
        using (var locking = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            var keepLocked = KeepLockedAsync(task.Id, locking.Token);
            try
            {
                outcome = await grains.GetGrain<ICamundaExternalTaskGrain>(task.Id).RunAsync(new CamundaExternalTaskWork
                {
                    Topic = topic,
                    ProcessInstanceId = task.ProcessInstanceId ?? string.Empty,
                    Variables = variables,
                });
            }
            catch (Exception exception)
            {
                // The grain call itself failed (its silo went down, a timeout): a failure like any other, retried by Camunda.
                LogCommandCallFailed(task.Id, topic, exception);
                outcome = CamundaCommandOutcome.Failed($"Command '{topic}' could not be run: {exception.Message}", exception);
            }
            finally
            {
                await locking.CancelAsync();
                await keepLocked;
            }
        }

        CamundaInstruments.CommandDuration.Record(time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("topic", topic));
        Commands.CommandInstruments.Ran(topic, outcome.Succeeded);
        Dictionary<string, CamundaVariable> output = [];
        if (outcome.Succeeded)
        {
            if (CamundaVariables.Unrepresentable(outcome.Variables) is { } unrepresentable)
            {
                // A value no Camunda type holds (a number beyond a Double): reported as a failure, so that it ends in an
                // incident rather than the task coming back at every lock expiry.
                LogOutputRefused(task.Id, topic, unrepresentable.Detail);
                outcome = CamundaCommandOutcome.Failed($"Command '{topic}' returned variables Camunda cannot hold: {unrepresentable.Detail}", null);
            }
            else
            {
                output = CamundaVariables.From(outcome.Variables, _options.JsonVariableType);
            }
        }

        if (outcome.Succeeded)
        {
            var (reported, refusal) = await ReportAsync(task.Id, "complete", () => camunda.CompleteExternalTaskAsync(task.Id, new CamundaCompleteExternalTask
            {
                WorkerId = WorkerId,
                Variables = output,
            }, CancellationToken.None));
            if (reported)
            {
                CamundaInstruments.ExternalTasksCompleted.Add(1, new KeyValuePair<string, object?>("topic", topic));
                LogCompleted(task.Id, topic, outcome.Replayed);
            }

            if (refusal is not { IsEngineFailure: true })
            {
                await NotifyInstanceAsync(task, Merge(variables, outcome.Variables));
                return true;
            }

            // 500 is "the process instance could not be resumed" (a condition after the task failed, for example): the task stays
            // ours and would come back at every lock expiry. Reported as a failure instead, its retries run out into an incident
            // an operator sees, with the engine's reason.
            LogEngineCouldNotContinue(task.Id, topic, refusal.EngineMessage);
            outcome = new CamundaCommandOutcome
            {
                ErrorMessage = $"Camunda could not continue the process after command '{topic}' succeeded: {refusal.EngineMessage}",
                ErrorDetails = $"{refusal.EngineType}: {refusal.EngineMessage}",
            };
        }

        var retries = Math.Max(0, (task.Retries ?? _options.Retries + 1) - 1);
        var failures = _options.Retries + 1 - retries;
        var retryTimeout = RetryTimeout(failures);
        var (failed, _) = await ReportAsync(task.Id, "failure", () => camunda.HandleFailureAsync(task.Id, new CamundaExternalTaskFailure
        {
            WorkerId = WorkerId,
            ErrorMessage = outcome.ErrorMessage,
            ErrorDetails = outcome.ErrorDetails,
            Retries = retries,
            RetryTimeout = (long)retryTimeout.TotalMilliseconds,
        }, CancellationToken.None));
        if (failed)
        {
            CamundaInstruments.ExternalTasksFailed.Add(1, new KeyValuePair<string, object?>("topic", topic));
            if (retries == 0)
            {
                WorkflowInstruments.Incidents.Add(1);
                LogIncident(task.Id, topic, outcome.ErrorMessage);
            }
            else
            {
                LogFailureReported(task.Id, topic, retries, retryTimeout, outcome.ErrorMessage);
            }
        }

        return false;
    }

    /// <summary>Extends the task's lock every half lock duration until the command is done.</summary>
    private async Task KeepLockedAsync(string externalTaskId, CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(LockMilliseconds / 2, 50));
        while (await DelayAsync(period, cancellationToken))
        {
            CamundaResult extended;
            try
            {
                extended = await camunda.ExtendLockAsync(externalTaskId, new CamundaExtendLock { WorkerId = WorkerId, NewDuration = LockMilliseconds }, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (CamundaException exception)
            {
                LogLockExtensionFailed(externalTaskId, exception.Message);
                continue;
            }

            if (extended.Refusal is { } refusal)
            {
                // Gone (canceled instance) or locked by another worker: the outcome will be refused too; stop extending.
                LogLockLost(externalTaskId, refusal.Message);
                return;
            }

            LogLockExtended(externalTaskId);
        }
    }

    /// <summary>
    /// Sends a complete or failure report, retrying while the engine is unreachable. Gives up when the engine refuses (the task is
    /// gone or locked by another worker, or the engine could not continue the process: the refusal is returned) or after a few
    /// attempts; an unreported task is fetched again once its lock runs out.
    /// </summary>
    private async Task<(bool Reported, CamundaRefusal? Refusal)> ReportAsync(string externalTaskId, string what, Func<Task<CamundaResult>> report)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if ((await report()).Refusal is { } refusal)
                {
                    LogReportRefused(externalTaskId, what, refusal.Message);
                    return (false, refusal);
                }

                return (true, null);
            }
            catch (CamundaException exception) when (attempt < 5)
            {
                LogReportRetried(externalTaskId, what, attempt, exception.Message);
                await Task.Delay(PollBackoff(attempt), time, CancellationToken.None);
            }
            catch (CamundaException exception)
            {
                LogReportGivenUp(externalTaskId, what, attempt, exception.Message);
                return (false, null);
            }
        }
    }

    /// <summary>Tells the instance's grain what the task saw and set, so the instance row stays current; best effort.</summary>
    private async Task NotifyInstanceAsync(CamundaExternalTask task, JsonElement variables)
    {
        if (task.ProcessInstanceId is not { Length: > 0 } instanceId)
        {
            return;
        }

        try
        {
            await grains.GetGrain<ICamundaInstanceGrain>(instanceId).ExternalTaskHandledAsync(variables);
        }
        catch (Exception exception)
        {
            LogNotifyFailed(instanceId, exception.Message);
        }
    }

    private static JsonElement Merge(IReadOnlyDictionary<string, JsonElement> seen, IReadOnlyDictionary<string, JsonElement> set)
    {
        var merged = new Dictionary<string, JsonElement>(seen, StringComparer.Ordinal);
        foreach (var (name, value) in set)
        {
            merged[name] = value;
        }

        return JsonElementFactory.From(merged);
    }

    private TimeSpan RetryTimeout(int failures) => new Backoff(_options.RetryTimeout, _options.MaxRetryTimeout).Delay(failures, 0);

    private TimeSpan PollBackoff(int failures) =>
        new Backoff(_options.PollBackoff, _options.MaxPollBackoff, PollJitter).Delay(failures, Random.Shared.NextDouble());

    private Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => HostedServiceWaits.DelayAsync(time, delay, cancellationToken);
}
