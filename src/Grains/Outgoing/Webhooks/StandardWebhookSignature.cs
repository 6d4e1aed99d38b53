using System.Buffers;
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
        // One call over one buffer (id, '.', timestamp, '.', body): cheaper than a hash object fed piece by piece.
        var prefixLength = Encoding.UTF8.GetByteCount(messageId) + 22;
        var length = prefixLength + bodyUtf8.Length;
        var rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
        var message = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            var written = Encoding.UTF8.GetBytes(messageId, message);
            message[written++] = (byte)'.';
            timestampSeconds.TryFormat(message[written..], out var timestampLength, default, CultureInfo.InvariantCulture);
            written += timestampLength;
            message[written++] = (byte)'.';
            bodyUtf8.CopyTo(message[written..]);
            written += bodyUtf8.Length;

            Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message[..written], hash);
            return "v1," + Convert.ToBase64String(hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
