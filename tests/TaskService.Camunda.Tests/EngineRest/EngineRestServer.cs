using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TaskService.Camunda.Tests.EngineRest;

/// <summary>
/// Serves a <see cref="FakeCamunda"/> as engine-rest over HTTP (Kestrel on 127.0.0.1), validating every request against the
/// official description before the engine sees it, and every answer after. A request that breaks the description is answered
/// 400 (<c>ContractViolation</c>) and recorded in <see cref="Violations"/>; so is an answer of the engine that breaks it. The
/// server can be stopped and started again on the same port, with the engine's state kept, to make the engine unreachable.
/// </summary>
public sealed class EngineRestServer : IAsyncDisposable
{
    public const string DefaultRoot = "/engine-rest";

    private static readonly JsonSerializerOptions AnswerJson = new() { PropertyNamingPolicy = null };

    private readonly OpenApiValidator _validator;
    private readonly (string User, string Password)? _credentials;
    private WebApplication? _app;

    public EngineRestServer(FakeCamunda engine, (string User, string Password)? credentials = null, OpenApiValidator? validator = null, string root = DefaultRoot)
    {
        Root = root;
        Engine = engine;
        _credentials = credentials;
        _validator = validator ?? OpenApiValidator.Instance;
        Port = FreePorts.Next();
        Engine.BaseUrl = BaseUrl;
    }

    public FakeCamunda Engine { get; }

    public int Port { get; }

    /// <summary>The path engine-rest is served under, <c>/engine-rest</c> unless the test says otherwise.</summary>
    public string Root { get; }

    /// <summary>The server's address, without the engine-rest path.</summary>
    public string Address => $"http://127.0.0.1:{Port}";

    public string BaseUrl => $"{Address}{Root}";

    public bool IsRunning => _app is not null;

    /// <summary>Every request or answer that broke the description, with what was wrong.</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>The operation ids of the requests served, in order.</summary>
    public ConcurrentQueue<string> Operations { get; } = new();

    /// <summary>The operation ids of the requests the engine answered with an error, and the status.</summary>
    public ConcurrentQueue<(string OperationId, int Status)> Errors { get; } = new();

    /// <summary>Requests refused for missing or wrong credentials.</summary>
    public ConcurrentQueue<string> Unauthorized { get; } = new();

    public async Task StartAsync()
    {
        if (_app is not null)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, Port));
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(1));
        var app = builder.Build();
        app.Run(ServeAsync);
        await app.StartAsync();
        _app = app;
    }

    /// <summary>Stops listening: connections are refused until <see cref="StartAsync"/>. The engine's state is kept.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments(Root, out var relative))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (_credentials is { } credentials && request.Headers.Authorization.ToString() != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.User}:{credentials.Password}")))
        {
            Unauthorized.Enqueue($"{request.Method} {relative}");
            await WriteAsync(context, StatusCodes.Status401Unauthorized, new { type = "AuthenticationException", message = "Unauthorized" });
            return;
        }

        var query = request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty))).ToArray();
        JsonElement? json = null;
        MultipartForm? form = null;
        var problems = new List<string>();
        if (request.HasFormContentType)
        {
            var read = await request.ReadFormAsync(context.RequestAborted);
            var files = new List<(string, string, byte[])>();
            foreach (var file in read.Files)
            {
                using var stream = new MemoryStream();
                await file.CopyToAsync(stream, context.RequestAborted);
                files.Add((file.Name, file.FileName, stream.ToArray()));
            }

            form = new MultipartForm(read.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? string.Empty))).ToArray(), files);
        }
        else
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (buffer.Length > 0)
            {
                try
                {
                    using var document = JsonDocument.Parse(buffer.ToArray());
                    json = document.RootElement.Clone();
                }
                catch (JsonException exception)
                {
                    problems.Add($"{request.Method} {relative}: the body is not JSON: {exception.Message}");
                }
            }
        }

        problems.AddRange(_validator.ValidateRequest(request.Method, relative.Value!, query, request.ContentType, json, form, out var operation));
        if (problems.Count > 0 || operation is null)
        {
            foreach (var problem in problems)
            {
                Violations.Enqueue($"request: {problem}");
            }

            await WriteAsync(context, operation is null ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest,
                new { type = "ContractViolation", message = string.Join(" ", problems) });
            return;
        }

        Operations.Enqueue(operation.OperationId);
        var queryValues = query.GroupBy(q => q.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        var answer = await Engine.HandleAsync(new FakeRequest(operation, queryValues, json, form), context.RequestAborted);
        JsonElement? body = answer.Body is null ? null : JsonSerializer.SerializeToElement(answer.Body, AnswerJson);
        if (answer.Status >= 400)
        {
            Errors.Enqueue((operation.OperationId, answer.Status));
        }

        foreach (var problem in _validator.ValidateResponse(operation, answer.Status, body))
        {
            Violations.Enqueue($"answer: {problem}");
        }

        await WriteAsync(context, answer.Status, body);
    }

    private static async Task WriteAsync(HttpContext context, int status, object? body)
    {
        context.Response.StatusCode = status;
        if (body is null)
        {
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body, AnswerJson), context.RequestAborted);
    }
}
