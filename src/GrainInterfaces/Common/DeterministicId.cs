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
        var text = string.Join('\u001f', parts.ToArray());
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8: custom, name-based
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true).ToString("D");
    }

    public static string NewId() => Guid.CreateVersion7().ToString("D");
}
