using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TaskService.Webhooks;

/// <summary>
/// The Standard Webhooks headers (standardwebhooks.com) every delivery carries next to the original's <c>x-task-signature</c>:
/// <c>webhook-id</c> (the event id, the same on every attempt), <c>webhook-timestamp</c> (Unix seconds) and
/// <c>webhook-signature</c>: <c>v1,</c> and the base64 HMAC-SHA256 of <c>id.timestamp.body</c>, keyed with the client app
/// secret's UTF-8 bytes (a Standard Webhooks library verifies it given the secret in its raw form).
/// </summary>
public static class StandardWebhookSignature
{
    public const string IdHeader = "webhook-id";

    public const string TimestampHeader = "webhook-timestamp";

    public const string SignatureHeader = "webhook-signature";

    /// <summary>The <c>webhook-signature</c> value for one secret.</summary>
    public static string Compute(string secret, string messageId, long timestampSeconds, ReadOnlySpan<byte> bodyUtf8)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(messageId);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes($"{messageId}.{timestampSeconds.ToString(CultureInfo.InvariantCulture)}."));
        hmac.AppendData(bodyUtf8);
        return "v1," + Convert.ToBase64String(hmac.GetHashAndReset());
    }
}
