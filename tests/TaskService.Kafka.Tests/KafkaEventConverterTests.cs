using System.Text;
using Confluent.Kafka;
using TaskService.Connectors.Kafka;
using TaskService.Events;

namespace TaskService.Kafka.Tests;

public sealed class KafkaEventConverterTests
{
    [Fact]
    public void ByDefaultTheTopicIsTheKeyTheValueThePayloadAndTheOriginTheId()
    {
        var converter = new KafkaEventConverter(new KafkaIncomingOptions(), TimeProvider.System);
        var result = Result("""{"invoice":7}""", timestamp: 1_700_000_000_123);

        Assert.True(converter.TryConvert(result, out var record, out var error), error);
        Assert.Equal("sow.update", record!.Key);
        Assert.Equal("kafka:sow.update:3:42", record.Id);
        Assert.Equal(7, record.Payload.GetProperty("invoice").GetInt32());
        Assert.Equal(1_700_000_000_123, record.Timestamp);
        Assert.Equal(KafkaEventConverter.Source, record.Source);
    }

    [Fact]
    public void TheIdOfAMessageOfALongTopicNameFitsTheStoresAndStaysDistinct()
    {
        var longest = new string('t', 249);
        var other = new string('t', 248) + "u";

        var id = KafkaEventConverter.EventId(longest, int.MaxValue, long.MaxValue);
        var withTimestamp = KafkaEventConverter.TimestampEventId(id, long.MaxValue / 1000);

        Assert.Equal(KafkaEventConverter.MaxOffsetIdLength, id.Length);
        Assert.True(withTimestamp.Length <= TaskService.Storage.Postgres.PostgresTaskServiceStore.MaxKeyColumnLength, withTimestamp);
        Assert.StartsWith("kafka:ttt", id, StringComparison.Ordinal);
        Assert.EndsWith($":{int.MaxValue}:{long.MaxValue}", id, StringComparison.Ordinal);
        Assert.Equal(id, KafkaEventConverter.EventId(longest, int.MaxValue, long.MaxValue));
        Assert.NotEqual(id, KafkaEventConverter.EventId(other, int.MaxValue, long.MaxValue));
        Assert.NotEqual(KafkaEventConverter.EventId(longest, 0, 1), KafkaEventConverter.EventId(other, 0, 1));

        // A name that fits is kept whole.
        var fitting = new string('f', 150);
        Assert.Equal($"kafka:{fitting}:0:7", KafkaEventConverter.EventId(fitting, 0, 7));
    }

    [Fact]
    public void TheKeyCanComeFromAFieldPathOfTheValue()
    {
        var converter = new KafkaEventConverter(new KafkaIncomingOptions { KeySource = KafkaEventKeySource.Field, Key = "meta.type" }, TimeProvider.System);

        Assert.True(converter.TryConvert(Result("""{"meta":{"type":"invoice.paid"}}"""), out var record, out _));
        Assert.Equal("invoice.paid", record!.Key);

        Assert.False(converter.TryConvert(Result("""{"meta":{}}"""), out _, out var error));
        Assert.Contains("meta.type", error);
    }

    [Fact]
    public void TheKeyCanComeFromAHeader()
    {
        var converter = new KafkaEventConverter(new KafkaIncomingOptions { KeySource = KafkaEventKeySource.Header, Key = "event-type" }, TimeProvider.System);

        Assert.True(converter.TryConvert(Result("{}", headers: new Headers { { "event-type", Encoding.UTF8.GetBytes("order.created") } }), out var record, out _));
        Assert.Equal("order.created", record!.Key);

        Assert.False(converter.TryConvert(Result("{}"), out _, out var error));
        Assert.Contains("event-type", error);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"open\":")]
    [InlineData("")]
    public void AValueThatIsNotJsonCannotBecomeAnEvent(string value)
    {
        var converter = new KafkaEventConverter(new KafkaIncomingOptions(), TimeProvider.System);
        Assert.False(converter.TryConvert(Result(value), out var record, out var error));
        Assert.Null(record);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void AMessageOverTheEventLimitsCannotBecomeAnEvent()
    {
        var limits = new TaskService.Common.LimitsOptions();
        var converter = new KafkaEventConverter(new KafkaIncomingOptions { KeySource = KafkaEventKeySource.Field, Key = "type" }, TimeProvider.System, limits);

        // The largest payload HTTP accepts is accepted from Kafka too; one byte more is not.
        var filler = new string('p', limits.MaxEventPayloadBytes - "{\"type\":\"big\",\"a\":\"\"}".Length);
        Assert.True(converter.TryConvert(Result($$"""{"type":"big","a":"{{filler}}"}"""), out _, out var error), error);
        Assert.False(converter.TryConvert(Result($$"""{"type":"big","a":"{{filler}}x"}"""), out _, out error));
        Assert.Contains("MaxEventPayloadBytes", error);

        var deep = string.Concat(Enumerable.Repeat("{\"a\":", limits.MaxJsonDepth + 1)) + "1" + new string('}', limits.MaxJsonDepth + 1);
        Assert.False(converter.TryConvert(Result("{\"type\":\"deep\",\"d\":" + deep + "}"), out _, out error));
        Assert.Contains("MaxJsonDepth", error);

        Assert.False(converter.TryConvert(Result("""{"type":"surrogate","a":"\ud800"}"""), out _, out error));
        Assert.Contains("surrogate", error);
        Assert.False(converter.TryConvert(Result("""{"type":"nul","a":"x\u0000y"}"""), out _, out error));
        Assert.Contains("NUL", error);

        Assert.False(converter.TryConvert(Result($$"""{"type":"{{new string('k', limits.MaxKeyLength + 1)}}"}"""), out _, out error));
        Assert.Contains("MaxKeyLength", error);
        Assert.False(converter.TryConvert(Result("""{"type":"line\nbreak"}"""), out _, out error));
        Assert.Contains("control characters", error);
    }

    [Fact]
    public void TheOutgoingMessageKeyIsTheTaskIdTheEventKeyOrTheEventId()
    {
        var created = new OutgoingEvent
        {
            Id = "e1",
            Key = OutgoingEventTypes.TaskCreated,
            Payload = Serialization.JsonElementFactory.Parse("""{"createdTasks":[{"id":"t1"},{"id":"t2"}]}"""),
        };
        var completed = created with { Key = OutgoingEventTypes.TaskCompleted, Payload = Serialization.JsonElementFactory.Parse("""{"taskId":"t9"}""") };
        var userTask = created with { Key = OutgoingEventTypes.UserTaskCompleted, Payload = Serialization.JsonElementFactory.Parse("""{"task":{"id":"t5"},"userTask":{"id":"u1"}}""") };

        Assert.Equal("t1", KafkaOutgoingConnector.MessageKey(created, KafkaMessageKey.TaskId));
        Assert.Equal("t9", KafkaOutgoingConnector.MessageKey(completed, KafkaMessageKey.TaskId));
        Assert.Equal("t5", KafkaOutgoingConnector.MessageKey(userTask, KafkaMessageKey.TaskId));
        Assert.Equal(OutgoingEventTypes.TaskCreated, KafkaOutgoingConnector.MessageKey(created, KafkaMessageKey.EventKey));
        Assert.Equal("e1", KafkaOutgoingConnector.MessageKey(created, KafkaMessageKey.EventId));
    }

    [Fact]
    public void OptionsThatCannotWorkAreRefusedAtStartWithTheSettingToFix()
    {
        var validator = new KafkaOptionsValidator();
        var options = new KafkaOptions
        {
            Incoming = new KafkaIncomingOptions { Enabled = true, KeySource = KafkaEventKeySource.Header },
            Outgoing = new KafkaOutgoingOptions { Enabled = true },
        };

        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("BootstrapServers", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Incoming:Topics", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Incoming:Key", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Outgoing:Topic", StringComparison.Ordinal));
        Assert.True(validator.Validate(null, new KafkaOptions()).Succeeded); // nothing enabled, nothing required
    }

    private static ConsumeResult<byte[]?, byte[]?> Result(string value, long timestamp = 1_000, Headers? headers = null) => new()
    {
        Topic = "sow.update",
        Partition = new Partition(3),
        Offset = new Offset(42),
        Message = new Message<byte[]?, byte[]?>
        {
            Value = Encoding.UTF8.GetBytes(value),
            Timestamp = new Timestamp(timestamp, TimestampType.CreateTime),
            Headers = headers ?? [],
        },
    };
}
