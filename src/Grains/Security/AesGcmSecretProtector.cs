using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace TaskService.Security;

/// <summary>
/// AES-256-GCM. A protected secret is <c>v1.&lt;key id&gt;.&lt;base64 of nonce, ciphertext and tag&gt;</c>; the key id (the first bytes
/// of the key's SHA-256) picks the key to decrypt with, so keys can be rotated by moving the old one to PreviousKeys.
/// </summary>
public sealed class AesGcmSecretProtector : ISecretProtector
{
    private const string Version = "v1";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly (string Id, byte[] Key) _current;
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public AesGcmSecretProtector(IOptions<SecretOptions> options)
    {
        var settings = options.Value;
        byte[] key;
        if (!string.IsNullOrWhiteSpace(settings.Key))
        {
            key = Decode(settings.Key, $"{SecretOptions.SectionName}:Key");
        }
        else if (settings.AllowEphemeralKey)
        {
            key = RandomNumberGenerator.GetBytes(32);
        }
        else
        {
            throw new InvalidOperationException(
                $"{SecretOptions.SectionName}:Key is not set. Client app secrets are stored encrypted; set a 256-bit base64 key " +
                "(for example `openssl rand -base64 32`) in configuration or the environment variable TaskService__Secrets__Key.");
        }

        _current = (KeyId(key), key);
        _keys[_current.Id] = key;
        for (var i = 0; i < settings.PreviousKeys.Count; i++)
        {
            var previous = Decode(settings.PreviousKeys[i], $"{SecretOptions.SectionName}:PreviousKeys:{i}");
            _keys.TryAdd(KeyId(previous), previous);
        }
    }

    public string Protect(string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_current.Key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), Associated(_current.Id));
        return $"{Version}.{_current.Id}.{Convert.ToBase64String(sealedBytes)}";
    }

    public string Unprotect(string protectedSecret)
    {
        var parts = protectedSecret.Split('.');
        if (parts.Length != 3 || parts[0] != Version)
        {
            throw new CryptographicException("The stored secret is not in the protected format; it was not written by this service.");
        }

        if (!_keys.TryGetValue(parts[1], out var key))
        {
            throw new CryptographicException(
                $"The stored secret was encrypted with key '{parts[1]}', which is not configured. Add that key to {SecretOptions.SectionName}:PreviousKeys.");
        }

        var sealedBytes = Convert.FromBase64String(parts[2]);
        var length = sealedBytes.Length - NonceSize - TagSize;
        var plain = new byte[length];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), plain, Associated(parts[1]));
        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] Associated(string keyId) => Encoding.ASCII.GetBytes($"{Version}.{keyId}");

    private static string KeyId(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 4));

    private static byte[] Decode(string base64, string setting)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{setting} is not base64. Generate a key with `openssl rand -base64 32`.");
        }

        return key.Length == 32
            ? key
            : throw new InvalidOperationException($"{setting} is {key.Length} bytes; it must be 32 (256 bits). Generate one with `openssl rand -base64 32`.");
    }
}
