using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using TaskService.Events;
using TaskService.Serialization;

namespace TaskService.Grains.Tests.Common;

/// <summary>A JSON value handed to a grain in the same silo is shared, not written out and parsed again; across silos it still travels as text.</summary>
public sealed class JsonElementCopierTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    [Fact]
    public void AJsonValuePassedOrAnsweredInTheSameSiloIsSharedWithoutBeingReadAgain()
    {
        var copier = _services.GetRequiredService<DeepCopier>();
        var value = JsonElementFactory.Parse("""{"a":[1,2,{"b":"c"}]}""");

        Assert.True(JsonElement.DeepEquals(value, copier.Copy(value)));
        // Query answers are lists of values.
        List<JsonElement> rows = [value, JsonElementFactory.Parse("2")];
        Assert.Equal(rows.Select(r => r.GetRawText()), copier.Copy(rows).Select(r => r.GetRawText()));

        // A value whose document is gone cannot be read: a copy that went through its text would throw here.
        var document = JsonDocument.Parse("""{"gone":true}""");
        var unreadable = document.RootElement;
        document.Dispose();
        copier.Copy(unreadable);
        copier.Copy<JsonElement?>(unreadable);
    }

    [Fact]
    public void OnTheWireAJsonValueStillTravelsAsItsText()
    {
        var serializer = _services.GetRequiredService<Serializer>();
        var record = new EventRecord { Id = "e1", Key = "k", Payload = JsonElementFactory.Parse("""{"a":[1,2,{"b":"c"}],"n":null}"""), Timestamp = 5 };

        var copy = serializer.Deserialize<EventRecord>(serializer.SerializeToArray(record))!;

        Assert.True(JsonElement.DeepEquals(record.Payload, copy.Payload));
        Assert.Equal(record.Timestamp, copy.Timestamp);
    }

    public void Dispose() => _services.Dispose();
}
