using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// The Kafka persistent stream provider's factory. At start it asks the brokers how many partitions each incoming topic has and
/// makes one queue per partition; it creates the receivers the pulling agents read with, their caches and failure handlers.
/// </summary>
public sealed class KafkaQueueAdapterFactory : IQueueAdapterFactory, IDisposable
{
    private readonly string _name;
    private readonly KafkaOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly KafkaEventConverter _converter;
    private readonly KafkaDeadLetterPublisher _deadLetters;
    private readonly Storage.ITaskServiceStore? _store;
    private readonly Events.RoutingBacklog? _backlog;
    private readonly ConcurrentDictionary<QueueId, KafkaQueueAdapterReceiver> _receivers = new();
    private readonly SemaphoreSlim _discovery = new(1, 1);
    private KafkaQueueMapper? _mapper;

    /// <param name="store">Where the receivers record the events they read, a read at a time; without it the event router records each.</param>
    /// <param name="backlog">This silo's routing backlog; while it is full the receivers read nothing.</param>
    public KafkaQueueAdapterFactory(
        string name,
        KafkaOptions options,
        ILoggerFactory loggers,
        TimeProvider time,
        Common.LimitsOptions? limits = null,
        Storage.ITaskServiceStore? store = null,
        Events.RoutingBacklog? backlog = null)
    {
        _store = store;
        _backlog = backlog;
        _name = name;
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<KafkaQueueAdapterFactory>();
        _converter = new KafkaEventConverter(options.Incoming, time, limits);
        _deadLetters = new KafkaDeadLetterPublisher(options, $"task-service-dead-letter-{Guid.NewGuid():N}", loggers.CreateLogger<KafkaDeadLetterPublisher>());
    }

    /// <summary>Used by the stream provider registration (<see cref="KafkaSiloBuilderExtensions.AddKafkaStreams"/>).</summary>
    public static KafkaQueueAdapterFactory Create(IServiceProvider services, string name) =>
        new(
            name,
            services.GetRequiredService<IOptionsMonitor<KafkaOptions>>().Get(name),
            services.GetRequiredService<ILoggerFactory>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetService<IOptions<Common.LimitsOptions>>()?.Value,
            services.GetService<Storage.ITaskServiceStore>(),
            services.GetService<Events.RoutingBacklog>());

    /// <summary>The receivers of the partitions this silo reads now.</summary>
    public IReadOnlyCollection<KafkaQueueAdapterReceiver> Receivers => _receivers.Values.ToArray();

    public async Task<IQueueAdapter> CreateAdapter()
    {
        await DiscoverPartitionsAsync(CancellationToken.None);
        return new KafkaQueueAdapter(_name, this);
    }

    public IQueueAdapterCache GetQueueAdapterCache() => new KafkaQueueAdapterCache(_options.Incoming.CacheSize);

    public IStreamQueueMapper GetStreamQueueMapper() =>
        _mapper ?? throw new InvalidOperationException("The Kafka partitions are not known yet: the adapter is created first.");

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new KafkaDeliveryFailureHandler(queueId, this, _logger));

    internal KafkaQueueAdapterReceiver CreateReceiver(QueueId queueId)
    {
        var partition = ((KafkaQueueMapper)GetStreamQueueMapper()).GetPartition(queueId);
        var receiver = new KafkaQueueAdapterReceiver(
            queueId,
            partition,
            _options,
            _converter,
            _deadLetters,
            r => _receivers.TryRemove(new KeyValuePair<QueueId, KafkaQueueAdapterReceiver>(r.QueueId, r)),
            _loggers.CreateLogger<KafkaQueueAdapterReceiver>(),
            _store,
            _backlog);
        _receivers[queueId] = receiver;
        return receiver;
    }

    internal bool TryGetReceiver(QueueId queueId, [NotNullWhen(true)] out KafkaQueueAdapterReceiver? receiver) =>
        _receivers.TryGetValue(queueId, out receiver);

    public void Dispose() => _deadLetters.Dispose();

    private async Task DiscoverPartitionsAsync(CancellationToken cancellationToken)
    {
        await _discovery.WaitAsync(cancellationToken);
        try
        {
            if (_mapper is not null)
            {
                return;
            }

            var partitions = new List<TopicPartition>();
            var adminId = $"task-service-metadata-{Guid.NewGuid():N}";
            var logging = new KafkaClientLogging(_logger, adminId);
            using var admin = new AdminClientBuilder(KafkaClientConfig.ForAdmin(_options, adminId))
                .SetLogHandler((_, message) => logging.Log(message))
                .Build();
            var deadline = DateTimeOffset.UtcNow + _options.MetadataTimeout;
            foreach (var topic in _options.Incoming.Topics.Distinct(StringComparer.Ordinal))
            {
                var ids = await Task.Run(() => DescribeTopic(admin, topic, deadline), cancellationToken);
                partitions.AddRange(ids.Select(id => new TopicPartition(topic, new Partition(id))));
                KafkaLog.PartitionsDiscovered(_logger, topic, ids.Count, _name);
            }

            _mapper = new KafkaQueueMapper(partitions);
        }
        finally
        {
            _discovery.Release();
        }
    }

    private IReadOnlyList<int> DescribeTopic(IAdminClient admin, string topic, DateTimeOffset deadline)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            string reason;
            try
            {
                var remaining = deadline - DateTimeOffset.UtcNow;
                var metadata = admin.GetMetadata(topic, remaining > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : remaining.Duration());
                var described = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
                if (described is { Error.IsError: false, Partitions.Count: > 0 })
                {
                    return described.Partitions.Select(p => p.PartitionId).Order().ToArray();
                }

                reason = described is null ? "not in the metadata" : described.Error.IsError ? described.Error.Reason : "no partitions";
            }
            catch (KafkaException exception)
            {
                reason = exception.Error.Reason;
            }

            if (DateTimeOffset.UtcNow + delay > deadline)
            {
                throw new InvalidOperationException(
                    $"Kafka topic '{topic}' could not be described within {_options.MetadataTimeout} ({reason}). Check TaskService:Kafka:BootstrapServers and that the topic exists.");
            }

            KafkaLog.MetadataRetry(_logger, topic, reason, deadline);
            Thread.Sleep(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }
}
