using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TaskService.Security;

namespace TaskService.Grains.Tests.Security;

public sealed class AesGcmSecretProtectorTests
{
    private static readonly string KeyA = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string KeyB = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void AProtectedSecretReadsBackAndDoesNotContainThePlainText()
    {
        var protector = Create(KeyA);
        const string secret = "4f1c0d9e-the-client-app-secret";

        var stored = protector.Protect(secret);

        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        Assert.StartsWith("v1.", stored, StringComparison.Ordinal);
        Assert.Equal(secret, protector.Unprotect(stored));
        Assert.NotEqual(stored, protector.Protect(secret)); // a fresh nonce each time
    }

    [Fact]
    public void ATamperedSecretIsRefused()
    {
        var protector = Create(KeyA);
        var stored = protector.Protect("secret");
        var parts = stored.Split('.');
        var bytes = Convert.FromBase64String(parts[2]);
        bytes[^1] ^= 0x01;

        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect($"{parts[0]}.{parts[1]}.{Convert.ToBase64String(bytes)}"));
    }

    [Fact]
    public void AfterRotationSecretsOfThePreviousKeyStillReadAndNewOnesUseTheNewKey()
    {
        var before = Create(KeyA).Protect("kept across rotation");
        var rotated = Create(KeyB, KeyA);

        Assert.Equal("kept across rotation", rotated.Unprotect(before));
        Assert.NotEqual(before.Split('.')[1], rotated.Protect("new").Split('.')[1]);
    }

    [Fact]
    public void ASecretOfAnUnknownKeyIsRefusedNamingTheSettingToFixIt()
    {
        var stored = Create(KeyA).Protect("secret");

        var error = Assert.Throws<CryptographicException>(() => Create(KeyB).Unprotect(stored));
        Assert.Contains("PreviousKeys", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "is not set")]
    [InlineData("not base64!", "is not base64")]
    [InlineData("AAAA", "must be 32")]
    public void AMissingOrMalformedKeyStopsTheStartWithTheFix(string? key, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Create(key));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigurationCannotWaiveTheKey()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["TaskService:Secrets:AllowEphemeralKey"] = "true" })
            .Build();
        var options = configuration.GetSection(SecretOptions.SectionName).Get<SecretOptions>() ?? new SecretOptions();

        Assert.False(options.AllowEphemeralKey);
        var error = Assert.Throws<InvalidOperationException>(() => new AesGcmSecretProtector(Options.Create(options)));
        Assert.Contains("TaskService:Secrets:Key is not set", error.Message, StringComparison.Ordinal);
    }

    private static AesGcmSecretProtector Create(string? key, params string[] previous) =>
        new(Options.Create(new SecretOptions { Key = key, PreviousKeys = [.. previous] }));
}
