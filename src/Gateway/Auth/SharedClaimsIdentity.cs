using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace TaskService.Gateway.Auth;

/// <summary>
/// A validated, normalized token identity that every request carrying the same token shares: a copy made once, whose claims
/// can no longer be added or removed, so no request can change what the next one is granted. Claim lookups stay
/// case-sensitive, as on the identity the token handler builds. <see cref="ClaimsIdentity.Clone"/> gives an ordinary, changeable copy.
/// </summary>
internal sealed class SharedClaimsIdentity : CaseSensitiveClaimsIdentity
{
    private readonly bool _sealed;

    public SharedClaimsIdentity(ClaimsIdentity identity)
        : base(identity)
    {
        _sealed = true;
    }

    public override void AddClaim(Claim claim)
    {
        ThrowIfSealed();
        base.AddClaim(claim);
    }

    public override void AddClaims(IEnumerable<Claim?> claims)
    {
        ThrowIfSealed();
        base.AddClaims(claims);
    }

    public override void RemoveClaim(Claim? claim)
    {
        ThrowIfSealed();
        base.RemoveClaim(claim);
    }

    public override bool TryRemoveClaim(Claim? claim) => !_sealed && base.TryRemoveClaim(claim);

    private void ThrowIfSealed()
    {
        if (_sealed)
        {
            throw new InvalidOperationException("The identity of a remembered token is shared by its requests and cannot be changed; change a Clone() of it.");
        }
    }
}
