using System.Net;

namespace TaskService.Testing;

/// <summary>A request whose answer is an expected failure (404, 409, 400, ...), with the status it must get.</summary>
public sealed record ExpectedAnswer(string Name, HttpStatusCode Status, Func<Task<HttpResponseMessage>> Send)
{
    /// <summary>
    /// Sends each request while <see cref="ThrownByTaskService"/> records, and asserts that each got its status and that
    /// TaskService's own code threw nothing on the way (exceptions of <paramref name="peerNamespace"/>'s stand-in excepted).
    /// </summary>
    public static async Task AssertAnsweredWithoutThrowingAsync(IReadOnlyCollection<ExpectedAnswer> cases, string? peerNamespace = null)
    {
        var wrongStatus = new List<string>();
        using var thrown = new ThrownByTaskService(peerNamespace);
        foreach (var (name, status, send) in cases)
        {
            using var response = await send();
            if (response.StatusCode != status)
            {
                wrongStatus.Add($"{name}: expected {(int)status}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.True(wrongStatus.Count == 0, string.Join(Environment.NewLine, wrongStatus));
        Assert.True(thrown.Thrown.Count == 0, $"{thrown.Thrown.Count} exception(s) thrown by TaskService code over {cases.Count} expected failures:{Environment.NewLine}{string.Join(Environment.NewLine, thrown.Thrown)}");
    }
}
