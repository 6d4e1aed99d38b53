using System.Security.Cryptography;

namespace TaskService.Gateway.Apis;

internal static class ClientAppKeys
{
    /// <summary>A new API key: 128 random bits as hex.</summary>
    public static string NewApiKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
