using System.Diagnostics.CodeAnalysis;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// The engine's answer to a request that answers nothing on success: done, or the <see cref="CamundaRefusal"/> that stopped it.
/// The engine-side counterpart of <see cref="Errors.Outcome"/>: callers branch on it and turn a refusal into their own
/// <see cref="Errors.Problem"/>.
/// </summary>
public sealed record CamundaResult
{
    public static readonly CamundaResult Ok = new();

    /// <summary>Why it was not done; null when it was.</summary>
    public CamundaRefusal? Refusal { get; init; }

    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool IsOk => Refusal is null;

    public static implicit operator CamundaResult(CamundaRefusal refusal) => new() { Refusal = refusal };

    /// <summary>Throws the refusal for a caller to whom it is unexpected.</summary>
    public void OrThrow()
    {
        if (Refusal is not null)
        {
            throw Refusal.ToException();
        }
    }
}
