namespace TaskService.Gateway.Ui;

/// <summary>How a diagram element is drawn.</summary>
public enum DiagramShapeKind
{
    Task,
    Event,
    Gateway,
    Container,
    Other,
}
