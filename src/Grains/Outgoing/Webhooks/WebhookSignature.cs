using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TaskService.Webhooks;

/// <summary>
/// Signs webhook deliveries the way receivers check them: lowercase hex HMAC-SHA256, keyed with the client
/// app secret as UTF-8, over <c>&lt;body&gt;:&lt;timestamp&gt;</c>.
/// </summary>
/// <remarks>
/// Receivers sign <c>JSON.stringify(JSON.parse(body))</c>, so the body passed here must already be in that form
/// (see <see cref="JavaScriptJson"/>), and the timestamp must be the exact decimal text sent in
/// <see cref="TimestampHeader"/>.
/// </remarks>
public static class WebhookSignature
{
    /// <summary>Header carrying the lowercase hex signature.</summary>
    public const string SignatureHeader = "x-task-signature";

    /// <summary>Header carrying the signing time in milliseconds since the Unix epoch.</summary>
    public const string TimestampHeader = "x-task-timestamp";

    private const int SignatureHexLength = SHA256.HashSizeInBytes * 2;

    /// <summary>Returns the lowercase hex signature of <paramref name="bodyUtf8"/> at <paramref name="timestampMs"/>.</summary>
    public static string Compute(string secret, ReadOnlySpan<byte> bodyUtf8, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Compute(Encoding.UTF8.GetBytes(secret), bodyUtf8, timestampMs);
    }

    /// <summary>Returns the lowercase hex signature of <paramref name="bodyUtf8"/> at <paramref name="timestampMs"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> secretUtf8, ReadOnlySpan<byte> bodyUtf8, long timestampMs)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        ComputeHash(secretUtf8, bodyUtf8, timestampMs, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Checks a signature as the receivers' sample does: a constant-time comparison of lowercase hex text,
    /// false on any length mismatch.
    /// </summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> bodyUtf8, long timestampMs, string? signatureHex)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (signatureHex is null || signatureHex.Length != SignatureHexLength)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        ComputeHash(Encoding.UTF8.GetBytes(secret), bodyUtf8, timestampMs, hash);
        Span<byte> expected = stackalloc byte[SignatureHexLength];
        Convert.TryToHexStringLower(hash, expected, out _);

        // Non-ASCII text encodes to more than 64 bytes; FixedTimeEquals is false for different lengths.
        Span<byte> actual = stackalloc byte[SignatureHexLength * 3];
        int actualLength = Encoding.UTF8.GetBytes(signatureHex, actual);
        return CryptographicOperations.FixedTimeEquals(expected, actual[..actualLength]);
    }

    private static void ComputeHash(ReadOnlySpan<byte> secretUtf8, ReadOnlySpan<byte> bodyUtf8, long timestampMs, Span<byte> hash)
    {
        // One call over one buffer (body, ':', timestamp): cheaper than a hash object fed piece by piece.
        var length = bodyUtf8.Length + 24;
        var rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
        var message = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            bodyUtf8.CopyTo(message);
            message[bodyUtf8.Length] = (byte)':';
            timestampMs.TryFormat(message[(bodyUtf8.Length + 1)..], out int timestampLength, default, CultureInfo.InvariantCulture);
            HMACSHA256.HashData(secretUtf8, message[..(bodyUtf8.Length + 1 + timestampLength)], hash);
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
