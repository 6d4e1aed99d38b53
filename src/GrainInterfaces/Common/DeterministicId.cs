using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace TaskService.Common;

/// <summary>
/// Name-based ids: the same inputs always give the same UUID, so a retried operation addresses what the first attempt created.
/// </summary>
public static class DeterministicId
{
    public static string From(params ReadOnlySpan<string> parts)
    {
        // The UTF-8 of the parts joined by U+001F, hashed; written into one buffer (on the stack when small) instead of joining
        // them into a string first. U+001F is one byte in UTF-8.
        var length = Math.Max(parts.Length - 1, 0);
        foreach (var part in parts)
        {
            length += Encoding.UTF8.GetByteCount(part);
        }

        byte[]? rented = null;
        var text = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        var written = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                text[written++] = 0x1F;
            }

            written += Encoding.UTF8.GetBytes(parts[i], text[written..]);
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(text[..written], hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8: custom, name-based
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true).ToString("D");
    }

    public static string NewId() => NewVersion7(DateTimeOffset.UtcNow).ToString("D");

    /// <summary>
    /// A version 7 UUID (RFC 9562: the Unix time in milliseconds, then 74 random bits) for <paramref name="at"/>. The random bits
    /// come from <see cref="Random.Shared"/> (seeded once per thread from the system's randomness), not from a system call per id
    /// as <see cref="Guid.CreateVersion7()"/> does: these ids must be unique and ordered by time, not unguessable.
    /// </summary>
    public static Guid NewVersion7(DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes[6..]);
        var milliseconds = at.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)milliseconds;
            milliseconds >>= 8;
        }

        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x70); // version 7
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
