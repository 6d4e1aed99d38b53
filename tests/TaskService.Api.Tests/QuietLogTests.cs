using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace TaskService.Api.Tests;

/// <summary>
/// Requests from outside cannot fill the log at the default levels: a bad or foreign token is a 401 and no line, since the bearer
/// handler logs under the framework's category, which the default configuration holds at Warning.
/// </summary>
public sealed class QuietLogTests(LogRecordingFactory factory) : IClassFixture<LogRecordingFactory>
{
    [Theory]
    [InlineData("not-a-token")]
    [InlineData("eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0..bm90LWFuLWl2.bm90LWNpcGhlcg.bm90LWEtdGFn")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJwZXJtaXNzaW9ucyI6WyIxNjAwMyJdfQ.")]
    public async Task ARequestWithABadTokenIs401AndLogsNothing(string token)
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var before = factory.Log.Count;

        await (await client.GetAsync("/tasks")).AssertStatusAsync(HttpStatusCode.Unauthorized);

        var written = factory.Log.Skip(before)
            .Where(e => e.Level < LogLevel.Warning && (e.Category.Contains("JwtBearer", StringComparison.Ordinal) || e.Category.Contains(".Auth.", StringComparison.Ordinal)))
            .ToList();
        Assert.True(written.Count == 0, string.Join(Environment.NewLine, written));
    }
}
