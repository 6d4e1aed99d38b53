using System.Diagnostics.CodeAnalysis;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// The engine's answer to a request: its value, or the <see cref="CamundaRefusal"/> (status and the engine's words) that stopped
/// it. The engine-side counterpart of <see cref="Errors.Outcome{T}"/>.
/// </summary>
public sealed record CamundaResult<T>
{
    public CamundaResult(T? value, CamundaRefusal? refusal)
    {
        Value = value;
        Refusal = refusal;
    }

    /// <summary>The value; default when <see cref="Refusal"/> is set.</summary>
    public T? Value { get; }

    /// <summary>Why there is no value; null on success.</summary>
    public CamundaRefusal? Refusal { get; }

    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool IsOk => Refusal is null;

    public static implicit operator CamundaResult<T>(T value) => new(value, null);

    public static implicit operator CamundaResult<T>(CamundaRefusal refusal) => new(default, refusal);

    /// <summary>The value, or the refusal thrown for a caller to whom it is unexpected.</summary>
    public T OrThrow() => Refusal is null ? Value! : throw Refusal.ToException();
}
