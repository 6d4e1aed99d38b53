using Amazon.SQS.Model;
using TaskService.Connectors.Sqs;

namespace TaskService.Sqs.Tests;

/// <summary>How a message becomes an event: key from the queue, a body field or an attribute; id from queue and message id.</summary>
public sealed class SqsEventConverterTests
{
    private static readonly SqsQueue Queue = new("orders", "http://127.0.0.1:1/000000000000/orders");

    [Fact]
    public void TheKeyIsTheQueueNameByDefaultAndTheIdNamesQueueAndMessage()
    {
        var converter = new SqsEventConverter(new SqsIncomingOptions(), TimeProvider.System);

        Assert.True(converter.TryConvert(Queue, Message("""{"a":1}""", sent: "1700000000123"), out var record, out var error), error);

        Assert.Equal("orders", record!.Key);
        Assert.Equal("sqs:orders:m-1", record.Id);
        Assert.Equal(1, record.Payload.GetProperty("a").GetInt32());
        Assert.Equal(1700000000123, record.Timestamp);
        Assert.Equal(SqsEventConverter.Source, record.Source);
    }

    [Fact]
    public void TheKeyComesFromADottedFieldOrAnAttributeWhenConfigured()
    {
        var byField = new SqsEventConverter(new SqsIncomingOptions { KeySource = SqsEventKeySource.Field, Key = "meta.type" }, TimeProvider.System);
        var byAttribute = new SqsEventConverter(new SqsIncomingOptions { KeySource = SqsEventKeySource.Attribute, Key = "event-type" }, TimeProvider.System);
        var message = Message("""{"meta":{"type":"order-placed"}}""");
        message.MessageAttributes = new() { ["event-type"] = new MessageAttributeValue { DataType = "String", StringValue = "order-paid" } };

        Assert.True(byField.TryConvert(Queue, message, out var fromField, out _));
        Assert.True(byAttribute.TryConvert(Queue, message, out var fromAttribute, out _));

        Assert.Equal("order-placed", fromField!.Key);
        Assert.Equal("order-paid", fromAttribute!.Key);
    }

    [Theory]
    [InlineData("", "no body")]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("""{"meta":{}}""", "'meta.type'")]
    [InlineData("""{"meta":{"type":""}}""", "'meta.type'")]
    public void AMessageThatCannotBecomeAnEventSaysWhy(string body, string reason)
    {
        var converter = new SqsEventConverter(new SqsIncomingOptions { KeySource = SqsEventKeySource.Field, Key = "meta.type" }, TimeProvider.System);

        Assert.False(converter.TryConvert(Queue, Message(body), out var record, out var error));

        Assert.Null(record);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a":"\ud800"}""", "surrogate")]
    [InlineData("""{"a":1e999999}""", "number")]
    [InlineData("""{"a":"x\u0000"}""", "NUL")]
    public void ABodyOverTheEventLimitsCannotBecomeAnEvent(string body, string reason)
    {
        var converter = new SqsEventConverter(new SqsIncomingOptions(), TimeProvider.System, new TaskService.Common.LimitsOptions { MaxEventPayloadBytes = 100 });

        Assert.False(converter.TryConvert(Queue, Message(body), out var record, out var error));
        Assert.Null(record);
        Assert.Contains(reason, error);

        Assert.False(converter.TryConvert(Queue, Message($$"""{"a":"{{new string('x', 100)}}"}"""), out _, out error));
        Assert.Contains("MaxEventPayloadBytes", error);
        Assert.True(converter.TryConvert(Queue, Message($$"""{"a":"{{new string('x', 90)}}"}"""), out _, out error), error);
    }

    private static Message Message(string body, string? sent = null) => new()
    {
        MessageId = "m-1",
        Body = body,
        Attributes = sent is null ? null : new Dictionary<string, string> { ["SentTimestamp"] = sent },
    };
}
