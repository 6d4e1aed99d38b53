using System.Text.Json;

namespace TaskService.Testing;

/// <summary>One request a <see cref="WebhookReceiver"/> recorded.</summary>
/// <param name="Valid">Whether the signature check accepted it (the README's sample check, in Node or in process).</param>
/// <param name="Body">The parsed JSON body (a JSON string holding the text when it did not parse).</param>
/// <param name="Signature">The <c>x-task-signature</c> header.</param>
/// <param name="Timestamp">The <c>x-task-timestamp</c> header.</param>
/// <param name="StandardValid">Whether the Standard Webhooks library accepted its webhook-* headers (Node only; null otherwise).</param>
/// <param name="TraceParent">The delivery's traceparent header.</param>
/// <param name="StandardSignature">The delivery's webhook-signature header: one or more <c>v1,</c> signatures separated by spaces.</param>
/// <param name="ArrivedAt">When the receiver took the request.</param>
public sealed record WebhookReceipt(
    string Path,
    bool Valid,
    JsonElement Body,
    string? Signature,
    string? Timestamp,
    bool? StandardValid,
    string? TraceParent,
    string? StandardSignature,
    DateTimeOffset ArrivedAt)
{
    /// <summary>The body as text.</summary>
    public string Text => Body.ValueKind == JsonValueKind.String ? Body.GetString()! : Body.GetRawText();

    public string? EventId => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("id", out var id) ? id.GetString() : null;

    public string? Key => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("key", out var key) ? key.GetString() : null;

    public JsonElement Payload => Body.GetProperty("payload");

    /// <summary>Whether the delivery is about a task with this key or id: a created task's key or id, or a completed task's id.</summary>
    public bool Concerns(string taskKeyOrId)
    {
        if (Body.ValueKind != JsonValueKind.Object || !Body.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (payload.TryGetProperty("taskId", out var taskId) && taskId.ValueKind == JsonValueKind.String && taskId.GetString() == taskKeyOrId)
        {
            return true;
        }

        return payload.TryGetProperty("createdTasks", out var created) && created.ValueKind == JsonValueKind.Array
            && created.EnumerateArray().Any(t =>
                (t.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String && key.GetString() == taskKeyOrId)
                || (t.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == taskKeyOrId));
    }

    public override string ToString() => $"{Path} {(Valid ? "valid" : "INVALID")} {Key} {EventId}";
}
