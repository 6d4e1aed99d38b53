namespace TaskService.Camunda.Tests.EngineRest;

/// <summary>A multipart/form-data body: its text fields, and its file parts by part name with their file name and content.</summary>
public sealed record MultipartForm(IReadOnlyList<KeyValuePair<string, string>> Fields, IReadOnlyList<(string Name, string FileName, byte[] Content)> Files);
