using System.Text.Json;
using TaskService.Workflows.Camunda;

namespace TaskService.Camunda.Tests;

/// <summary>Camunda's date format <c>yyyy-MM-dd'T'HH:mm:ss.SSSZ</c>, which System.Text.Json does not read by itself.</summary>
public sealed class CamundaDateTimeConverterTests
{
    [Theory]
    [InlineData("2015-10-06T16:34:42.000+0200", "2015-10-06T14:34:42.0000000+00:00", 120)]
    [InlineData("2015-10-06T16:34:42.123-0530", "2015-10-06T22:04:42.1230000+00:00", -330)]
    [InlineData("2015-10-06T16:34:42.000+0000", "2015-10-06T16:34:42.0000000+00:00", 0)]
    [InlineData("2015-10-06T16:34:42+02:00", "2015-10-06T14:34:42.0000000+00:00", 120)]
    [InlineData("2015-10-06T16:34:42.5Z", "2015-10-06T16:34:42.5000000+00:00", 0)]
    [InlineData("2015-10-06T16:34:42", "2015-10-06T16:34:42.0000000+00:00", 0)]
    public void ReadsCamundaDates(string text, string utc, int offsetMinutes)
    {
        var value = JsonSerializer.Deserialize<DateTimeOffset>($"\"{text}\"", CamundaJson.Options);

        Assert.Equal(utc, value.ToUniversalTime().ToString("O"));
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), value.Offset);
    }

    [Fact]
    public void TheDefaultSerializerCannotReadThemWhichIsWhyTheConverterExists() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DateTimeOffset>("\"2015-10-06T16:34:42.000+0200\""));

    [Theory]
    [InlineData("2015-10-06 16:34:42")]
    [InlineData("06.10.2015")]
    [InlineData("2015-10-06T16:34:42.000+2500")]
    public void RefusesWhatIsNotADate(string text) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DateTimeOffset>($"\"{text}\"", CamundaJson.Options));

    [Fact]
    public void WritesCamundaDates()
    {
        var value = new DateTimeOffset(2015, 10, 6, 16, 34, 42, 7, TimeSpan.FromHours(2));

        Assert.Equal("\"2015-10-06T16:34:42.007+0200\"", JsonSerializer.Serialize(value, CamundaJson.Options));
        Assert.Equal("2015-10-06T09:04:42.007-0530", CamundaDateTimeConverter.Format(value.ToOffset(TimeSpan.FromMinutes(-330))));
    }

    [Fact]
    public void DtosWithNullAndPresentDatesRead()
    {
        var task = JsonSerializer.Deserialize<CamundaTask>("""{"id":"t","name":"n","created":"2013-01-23T13:42:42.000+0200","due":null,"followUp":"2013-01-23T13:44:42.437+0200"}""", CamundaJson.Options)!;

        Assert.Equal(new DateTimeOffset(2013, 1, 23, 11, 42, 42, TimeSpan.Zero), task.Created);
        Assert.Null(task.Due);
        Assert.Equal(437, task.FollowUp!.Value.Millisecond);
    }
}
