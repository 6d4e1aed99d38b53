using System.Text.Json;

namespace TaskService.Camunda.Tests.EngineRest;

/// <summary>
/// The official engine-rest description (<c>shared/camunda/engine-rest-openapi-7.15.json</c>, OpenAPI 3.0.2): finds the operation a
/// request names and resolves <c>$ref</c>s. Paths are relative to the engine-rest root.
/// </summary>
public sealed class OpenApiDescription
{
    public const string FileName = "engine-rest-openapi-7.15.json";

    private static readonly Lazy<OpenApiDescription> Shared = new(() => Load(Locate()));

    private readonly List<(string Template, string[] Segments, JsonElement Item)> _paths;

    private OpenApiDescription(JsonElement root)
    {
        Root = root;
        _paths = root.GetProperty("paths").EnumerateObject()
            .Select(p => (p.Name, p.Name.Trim('/').Split('/'), p.Value))
            .ToList();
    }

    public JsonElement Root { get; }

    /// <summary>The description, loaded once per test run.</summary>
    public static OpenApiDescription Instance => Shared.Value;

    public static OpenApiDescription Load(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        return new OpenApiDescription(document.RootElement.Clone());
    }

    /// <summary>
    /// The description's file: <c>TASKSERVICE_CAMUNDA_OPENAPI</c>, else the copy in this project's <c>camunda/</c> folder (or a
    /// <c>shared/camunda/</c> folder) above the test binaries.
    /// </summary>
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable("TASKSERVICE_CAMUNDA_OPENAPI") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(directory.FullName, "shared", "camunda", FileName), Path.Combine(directory.FullName, "camunda", FileName) })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException($"The engine-rest description {FileName} was not found in a shared/camunda folder above {AppContext.BaseDirectory}; set TASKSERVICE_CAMUNDA_OPENAPI to its path.");
    }

    /// <summary>
    /// The operation for <paramref name="method"/> and <paramref name="path"/> (decoded segments), or null when the description has
    /// none. Where several templates match, the one with the most literal segments wins (<c>/process-definition/key/{key}</c> over
    /// <c>/process-definition/{id}/xml</c>).
    /// </summary>
    public OpenApiOperation? FindOperation(string method, string path)
    {
        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        OpenApiOperation? best = null;
        var bestLiterals = -1;
        foreach (var (template, templateSegments, item) in _paths)
        {
            if (templateSegments.Length != segments.Length || !item.TryGetProperty(method.ToLowerInvariant(), out var operation))
            {
                continue;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var literals = 0;
            var matches = true;
            for (var i = 0; i < segments.Length && matches; i++)
            {
                var part = templateSegments[i];
                if (part.StartsWith('{') && part.EndsWith('}'))
                {
                    values[part[1..^1]] = segments[i];
                }
                else if (part == segments[i])
                {
                    literals++;
                }
                else
                {
                    matches = false;
                }
            }

            if (matches && literals > bestLiterals)
            {
                best = new OpenApiOperation(method.ToUpperInvariant(), template, operation, values);
                bestLiterals = literals;
            }
        }

        return best;
    }

    /// <summary>Follows a <c>$ref</c> such as <c>#/components/schemas/VariableValueDto</c>.</summary>
    public JsonElement Resolve(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Only local references are supported, not '{reference}'.");
        }

        var current = Root;
        foreach (var part in reference[2..].Split('/'))
        {
            current = current.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return current;
    }
}
