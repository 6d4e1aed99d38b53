using System.Net;
using System.Text;
using System.Text.Json;

namespace TaskService.Testing.Durability;

/// <summary>JSON requests and answers over HTTP for the durability tests, with the body shown whenever a status differs.</summary>
public static class HttpJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, string method, string url, object? body = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body, Options), Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        return client.SendAsync(request);
    }

    /// <summary>Sends the request, asserts the status (showing the body when it differs) and returns the parsed body, if any.</summary>
    public static async Task<JsonElement> ExpectAsync(this Task<HttpResponseMessage> sending, HttpStatusCode expected)
    {
        using var response = await sending;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        if (body.Length == 0)
        {
            return default;
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    public static Task<JsonElement> GetJsonAsync(this HttpClient client, string url) =>
        client.SendJsonAsync("GET", url).ExpectAsync(HttpStatusCode.OK);

    /// <summary><c>filter=</c> (or another parameter) with the value serialized and escaped.</summary>
    public static string Query(string name, object value) => $"{name}={Uri.EscapeDataString(JsonSerializer.Serialize(value, Options))}";

    /// <summary>The string values of <paramref name="property"/> in every element of a JSON array.</summary>
    public static string[] Values(this JsonElement array, string property) =>
        array.EnumerateArray().Select(e => e.GetProperty(property).GetString()!).ToArray();
}
