namespace TaskService.Queries;

/// <summary>
/// A has-many relation that a LoopBack <c>include</c> can name: the rows of <see cref="Target"/> whose
/// <see cref="ForeignKey"/> equals the parent's id.
/// </summary>
public sealed record EntityRelation(string Name, EntitySchema Target, string ForeignKey);
