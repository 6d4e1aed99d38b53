using System.Buffers;
using System.Text;
using System.Text.Json;
using TaskService.Events;
using TaskService.Serialization;
using TaskService.Webhooks;

namespace TaskService.Grains.Tests.Webhooks;

public sealed class WebhookBodyTests
{
    public static TheoryData<string, string?, string> Events() => new()
    {
        { """{"createdTasks":[{"id":"t1","name":"Bench task 1","metadata":{"benchId":1}}]}""", "task-service", "e1" },
        { """{"b":1,"2":"two","a":[1.50,-0,1e21,12345678901234567890],"1":{"z":null,"0":true}}""", null, "e-2" },
        { """{"text":"quote \" backslash \\ tab \t control \u0001 emoji \ud83d\ude00 slash \/ é"}""", "src \"x\"", "id \u0007 é" },
        { """{"dup":1,"dup":2,"x":{}}""", "", "e3" },
        { "[]", null, "e4" },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void BodyIsTheStringifiedEnvelope(string payload, string? source, string id)
    {
        var outgoing = new OutgoingEvent
        {
            Id = id,
            Key = "task-created",
            Payload = JsonElementFactory.Parse(payload),
            Source = source!,
            Timestamp = 1_764_761_234_567,
        };

        var body = WebhookSender.CreateBody(outgoing);

        Assert.Equal(Envelope(outgoing), Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void EachBodyHoldsOnlyItsOwnEventWhateverWasWrittenBeforeOnTheThread()
    {
        // The bodies are written into a buffer each thread reuses: a short body after a long one, and after one larger than
        // the buffer kept, is still exactly its own envelope.
        var large = new string('x', 100_000);
        string[] payloads = ["""{"a":"long long long long long long long long long long"}""", """{"b":1}""", $$"""{"big":"{{large}}"}""", "[]", """{"c":2}"""];
        foreach (var payload in payloads)
        {
            var outgoing = new OutgoingEvent
            {
                Id = "e-" + payload.Length, Key = "task-created", Payload = JsonElementFactory.Parse(payload), Source = "s", Timestamp = 1,
            };

            Assert.Equal(Envelope(outgoing), Encoding.UTF8.GetString(WebhookSender.CreateBody(outgoing)));
        }
    }

    [Fact]
    public void EventWithoutPayloadCarriesNull()
    {
        var body = WebhookSender.CreateBody(new OutgoingEvent { Id = "e5", Key = "task-completed", Timestamp = 7, Source = null! });

        Assert.Equal("""{"id":"e5","key":"task-completed","payload":null,"timestamp":7,"source":null}""", Encoding.UTF8.GetString(body));
    }

    /// <summary>The envelope written with the JSON writer, then put through JSON.stringify(JSON.parse(...)).</summary>
    private static string Envelope(OutgoingEvent outgoing)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("id", outgoing.Id);
            writer.WriteString("key", outgoing.Key);
            writer.WritePropertyName("payload");
            outgoing.Payload.WriteTo(writer);
            writer.WriteNumber("timestamp", outgoing.Timestamp);
            writer.WriteString("source", outgoing.Source);
            writer.WriteEndObject();
        }

        using var envelope = JsonDocument.Parse(buffer.WrittenMemory);
        return JavaScriptJson.Serialize(envelope.RootElement);
    }
}
