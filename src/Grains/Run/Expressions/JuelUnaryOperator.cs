namespace TaskService.Workflows.Expressions;

internal enum JuelUnaryOperator
{
    Negate,
    Not,
    Empty,
}
