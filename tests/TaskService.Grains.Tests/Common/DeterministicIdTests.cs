using System.Security.Cryptography;
using System.Text;
using TaskService.Common;

namespace TaskService.Grains.Tests.Common;

/// <summary>Ids already stored were derived this way: the same parts must keep giving the same id.</summary>
public sealed class DeterministicIdTests
{
    public static TheoryData<string[]> Parts() => new()
    {
        { [] },
        { [""] },
        { ["event-workflow", "bench-20261203-17", "c0b5b3a6-1a2b-4c3d-8e9f-001122334455"] },
        { ["task", "external-task-1", "0"] },
        { ["ünïcödé ✓", "東京", "😀", "", "a\u001fb"] },
        { ["lone \ud800 high", "\udc00 lone low"] },
        { [new string('x', 600), "long parts use a rented buffer", new string('é', 300)] },
    };

    [Theory]
    [MemberData(nameof(Parts))]
    public void IdsAreTheHashOfThePartsJoinedByUnitSeparators(string[] parts)
    {
        Assert.Equal(JoinedAndHashed(parts), DeterministicId.From(parts));
    }

    [Fact]
    public void AKnownIdStaysTheSame()
    {
        // SHA-256 of "task\u001fx\u001f0", first 16 bytes, version 8 and the RFC 9562 variant (worked out independently).
        Assert.Equal("5c6294b1-af38-8c3f-b905-1db3620f3cab", DeterministicId.From("task", "x", "0"));
        Assert.NotEqual(DeterministicId.From("task", "x", "0"), DeterministicId.From("task", "x0"));
    }

    [Fact]
    public void NewIdsAreVersion7UuidsCarryingTheirTimeAndNeverRepeat()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        var ids = Enumerable.Range(0, 20_000).Select(_ => DeterministicId.NewVersion7(at)).ToArray();

        Assert.Equal(ids.Length, ids.Distinct().Count());
        foreach (var id in ids.Take(100))
        {
            Assert.Equal(7, id.Version);
            Assert.Equal(0x80, id.ToByteArray(bigEndian: true)[8] & 0xC0);
            Assert.StartsWith("018bcfe5-687b-7", id.ToString("D"), StringComparison.Ordinal); // 1_700_000_000_123 ms, version 7
        }

        // A later millisecond sorts after, as the ids of history entries must.
        var later = DeterministicId.NewVersion7(at.AddMilliseconds(1));
        Assert.All(ids, id => Assert.True(string.CompareOrdinal(id.ToString("N"), later.ToString("N")) < 0));
        Assert.Equal(7, Guid.Parse(DeterministicId.NewId()).Version);
    }

    /// <summary>The derivation as first written: the parts joined into a string, its UTF-8 hashed with SHA-256, a version 8 UUID.</summary>
    private static string JoinedAndHashed(string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));
        var bytes = hash.AsSpan(0, 16);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
