using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TaskService.Testing.Api;

/// <summary>Request and response helpers shared by the API tests.</summary>
public static class JsonApi
{
    /// <summary>A request whose body is exactly <paramref name="json"/> (sent as application/json), or no body when null.</summary>
    public static HttpRequestMessage Request(string method, string url, string? json = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return request;
    }

    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, string method, string url, string? json = null) =>
        client.SendAsync(Request(method, url, json));

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.SendAsync("POST", url, JsonSerializer.Serialize(body, JsonOptions));

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object body) =>
        client.SendAsync("PATCH", url, JsonSerializer.Serialize(body, JsonOptions));

    /// <summary><c>?filter=</c> with the filter serialized and escaped.</summary>
    public static string Filter(object filter) => "filter=" + Uri.EscapeDataString(filter as string ?? JsonSerializer.Serialize(filter, JsonOptions));

    /// <summary><c>where=</c> with the clause serialized and escaped.</summary>
    public static string Where(object where) => "where=" + Uri.EscapeDataString(where as string ?? JsonSerializer.Serialize(where, JsonOptions));

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>Asserts the status (showing the body when it differs) and returns the parsed JSON body.</summary>
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url) =>
        await (await client.GetAsync(url)).ReadJsonAsync(HttpStatusCode.OK);

    public static async Task<long> CountAsync(this HttpClient client, string url) =>
        (await client.GetJsonAsync(url)).GetProperty("count").GetInt64();

    /// <summary>Asserts the status only, showing the body when it differs.</summary>
    public static async Task AssertStatusAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            Assert.Fail($"Expected {(int)expected} but got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Asserts an RFC 7807 answer with the given status and returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await response.ReadJsonAsync(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>
    /// Asserts a 404 whose body is a problem document. The media type is checked once, by
    /// <c>TasksApiTests.NotFoundAnswersAreProblemJson</c>, so that one cause fails one test rather than every 404 check.
    /// </summary>
    public static async Task<JsonElement> AssertNotFoundAsync(this HttpResponseMessage response)
    {
        var problem = await response.ReadJsonAsync(HttpStatusCode.NotFound);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), problem.ToString());
        return problem;
    }

    /// <summary>Asserts a 400 problem whose <c>errors</c> object names <paramref name="field"/>.</summary>
    public static async Task<JsonElement> AssertBadRequestNamingAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(
            problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object && errors.TryGetProperty(field, out _),
            $"Expected the problem's 'errors' to name '{field}': {problem}");
        return problem;
    }

    /// <summary>The string values of <paramref name="property"/> in every element of a JSON array.</summary>
    public static string[] Values(this JsonElement array, string property) =>
        array.EnumerateArray().Select(e => e.GetProperty(property).GetString()!).ToArray();
}
