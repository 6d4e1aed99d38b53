using Microsoft.Extensions.Options;

namespace TaskService.Gateway.Ui;

/// <summary>
/// The web UI at <c>/ui</c>: Razor Pages from the shared framework (no Node build), a stylesheet of our own served from the
/// assembly, a Content-Security-Policy without inline scripts, and friendly error pages.
/// </summary>
public static class UiSetup
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; connect-src 'self'";

    public static WebApplicationBuilder AddTaskServiceUi(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(UiOptions.SectionName);
        var ui = section.Get<UiOptions>() ?? new UiOptions();
        builder.Services.AddOptions<UiOptions>().Bind(section)
            .Validate(o => o.SignInLifetime > TimeSpan.Zero, "TaskService:Ui:SignInLifetime must be positive.")
            .Validate(o => !o.Oidc.Configured || Uri.TryCreate(o.Oidc.Authority, UriKind.Absolute, out _), "TaskService:Ui:Oidc:Authority must be an absolute URL.")
            .ValidateOnStart();
        if (!ui.Enabled)
        {
            return builder;
        }

        builder.Services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/Ui/Pages";
            pages.Conventions.AuthorizeFolder("/", UiAuthentication.Policy);
            pages.Conventions.AllowAnonymousToPage("/SignIn");
            pages.Conventions.AllowAnonymousToPage("/Error");
        })
            // The pages are compiled into this assembly, which need not be the entry assembly (tests, other hosts).
            .AddApplicationPart(typeof(UiSetup).Assembly);
        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "TaskService.Ui.Antiforgery";
            antiforgery.Cookie.Path = "/ui";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddHttpClient<UiApiClient>(http => http.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddUiAuthentication(ui, builder.Configuration);
        return builder;
    }

    /// <summary>Headers and error pages for <c>/ui</c>; runs before routing to any page.</summary>
    public static WebApplication UseTaskServiceUi(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<UiOptions>>().Value.Enabled)
        {
            return app;
        }

        app.UseWhen(context => context.Request.Path.StartsWithSegments("/ui"), ui =>
        {
            ui.Use(async (context, next) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                headers.XFrameOptions = "DENY";
                // As the antiforgery pages set them anyway: when they find other values there, they log a warning per page.
                headers.CacheControl = "no-cache, no-store";
                headers.Pragma = "no-cache";
                await next(context);
            });

            // A failure inside a page shows a friendly page, never a stack trace; so does an empty 4xx (no such page, a form
            // without its antiforgery token).
            ui.UseExceptionHandler("/ui/error");
            ui.Use(async (context, next) =>
            {
                await next(context);
                var response = context.Response;
                if (!response.HasStarted && response.StatusCode is >= 400 and < 600 && response.ContentType is null && response.ContentLength is null or 0)
                {
                    var (heading, text) = response.StatusCode == StatusCodes.Status404NotFound
                        ? ("Page not found", "There is no page at this address.")
                        : ("The request could not be handled", "Go back and try again. If a form was open for long, reload it first.");
                    response.ContentType = "text/html; charset=utf-8";
                    await response.WriteAsync(
                        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
                        $"<title>{heading} · TaskService</title><link rel=\"stylesheet\" href=\"/ui/assets/ui.css\"></head><body><main id=\"main\">" +
                        $"<h1>{heading}</h1><p>{text}</p><p><a href=\"/ui\">Back to the inbox</a></p></main></body></html>");
                }
            });
        });
        return app;
    }

    public static WebApplication MapTaskServiceUi(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<UiOptions>>().Value.Enabled)
        {
            return app;
        }

        app.MapRazorPages();
        app.MapGet("/ui/assets/{name}", Asset).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Asset(string name)
    {
        var contentType = Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => null,
        };
        var stream = contentType is null ? null : typeof(UiSetup).Assembly.GetManifestResourceStream($"TaskService.Ui.{name}");
        return stream is null ? Results.NotFound() : Results.Stream(stream, contentType);
    }
}
