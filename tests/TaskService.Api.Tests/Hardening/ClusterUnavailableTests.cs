using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime;
using TaskService.Events;
using TaskService.Gateway.Http;

namespace TaskService.Api.Tests.Hardening;

/// <summary>
/// When the cluster cannot carry a call (the silo holding the grain stopped, refused the message, or did not answer in time), or
/// PostgreSQL cannot be reached, the request is answered 503 with Retry-After and a problem document, never a 500: the client
/// sends it again. (The database case end to end: <c>PostgresOutageHealthTests</c>.)
/// </summary>
public sealed class ClusterUnavailableTests(ClusterUnavailableTests.Factory factory) : IClassFixture<ClusterUnavailableTests.Factory>
{
    public static TheoryData<string> Failures => new() { "silo unavailable", "gateway too busy", "response timeout" };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task ACallTheClusterCannotCarryIs503WithRetryAfter(string failure)
    {
        factory.Ingress.Failure = failure switch
        {
            "silo unavailable" => new SiloUnavailableException("The target silo became unavailable."),
            "gateway too busy" => new GatewayTooBusyException(),
            _ => new TimeoutException("Response did not arrive on time."),
        };
        var client = factory.CreateAdminClient();

        using var response = await client.PostAsJsonAsync("/events/trigger", new { key = "unavailable.test", payload = new { n = 1 } });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(TaskServiceExceptionHandler.UnavailableRetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("Send it again", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain(" at ", text);
    }

    [Fact]
    public void OnlyFailuresOfTheClusterAreCountedAsUnavailable()
    {
        Assert.True(TaskServiceExceptionHandler.IsClusterUnavailable(new SiloUnavailableException()));
        Assert.True(TaskServiceExceptionHandler.IsClusterUnavailable(new TimeoutException()));
        Assert.False(TaskServiceExceptionHandler.IsClusterUnavailable(new System.Text.RegularExpressions.RegexMatchTimeoutException()));
        Assert.False(TaskServiceExceptionHandler.IsClusterUnavailable(new InvalidOperationException()));
        Assert.False(TaskServiceExceptionHandler.IsClusterUnavailable(new OrleansException("a grain's own failure")));
    }

    [Fact]
    public void OnlyAnUnreachableDatabaseIsCountedAsUnavailable()
    {
        Assert.True(TaskServiceExceptionHandler.IsDatabaseUnavailable(new Npgsql.NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111))));
        Assert.True(TaskServiceExceptionHandler.IsDatabaseUnavailable(new Npgsql.NpgsqlException("Exception while reading from stream", new TimeoutException())));
        Assert.True(TaskServiceExceptionHandler.IsDatabaseUnavailable(new Npgsql.PostgresException("the database system is shutting down", "FATAL", "FATAL", "57P01")));
        Assert.True(TaskServiceExceptionHandler.IsDatabaseUnavailable(new Npgsql.PostgresException("sorry, too many clients already", "FATAL", "FATAL", "53300")));
        Assert.True(TaskServiceExceptionHandler.IsDatabaseUnavailable(new InvalidOperationException("wrapped", new Npgsql.PostgresException("connection failure", "FATAL", "FATAL", "08006"))));
        Assert.False(TaskServiceExceptionHandler.IsDatabaseUnavailable(new Npgsql.PostgresException("duplicate key value", "ERROR", "ERROR", "23505")));
        Assert.False(TaskServiceExceptionHandler.IsDatabaseUnavailable(new Npgsql.PostgresException("invalid input syntax", "ERROR", "ERROR", "22P02")));
        Assert.False(TaskServiceExceptionHandler.IsDatabaseUnavailable(new InvalidOperationException("not the database")));
    }

    /// <summary>A service of its own whose event ingress fails as a lost silo makes it fail.</summary>
    public sealed class Factory : TaskServiceApiFactory
    {
        public Factory() => TestServices = services => services.RemoveAll<IEventIngress>().AddSingleton<IEventIngress>(Ingress);

        public FailingIngress Ingress { get; } = new();
    }

    public sealed class FailingIngress : IEventIngress
    {
        public Exception Failure { get; set; } = new SiloUnavailableException();

        public Task<EventAcceptance> TryPublishAsync(EventRecord record) => Task.FromException<EventAcceptance>(Failure);
    }
}
