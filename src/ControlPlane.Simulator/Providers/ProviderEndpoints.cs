using ControlPlane.Simulator.Providers.Validation;
using ControlPlane.Simulator.Providers.Wire;

namespace ControlPlane.Simulator.Providers;

/// The paths each provider kind serves, mirroring the real APIs so SDKs work unmodified against the base URL.
internal static class ProviderEndpoints
{
    public static IEndpointRouteBuilder MapProviderEndpoints(this IEndpointRouteBuilder app, SimulatedProviderKind kind, ProviderRequestHandler handler)
    {
        switch (kind)
        {
            case SimulatedProviderKind.Anthropic:
                MapAnthropic(app, handler);
                break;
            case SimulatedProviderKind.Gemini:
                MapGemini(app, handler);
                break;
            default:
                var openAi = kind == SimulatedProviderKind.OpenAI;
                MapOpenAi(app, handler, "/v1", new ApiSurface(
                    openAi ? OpenAiWire.OpenAi : OpenAiWire.Local,
                    AuthScheme.Bearer,
                    Validator: openAi ? OpenAiRequestValidator.OpenAi : OpenAiRequestValidator.Compatible));
                break;
        }

        return app;
    }

    private static void MapAnthropic(IEndpointRouteBuilder app, ProviderRequestHandler handler)
    {
        // Current official Anthropic SDKs send the key as a Bearer token, older ones and curl examples as x-api-key.
        var native = new ApiSurface(AnthropicWire.Instance, AuthScheme.BearerOrXApiKey, RequiresAnthropicVersion: true, AnthropicRequestValidator.Instance);
        app.MapPost("/v1/messages", Handle(handler, native, _ => new Operation.Complete()));
        app.MapPost("/v1/messages/count_tokens", Handle(handler, native, _ => new Operation.Complete(Stream: false, CountTokens: true)));
        app.MapGet("/v1/models", Handle(handler, native, _ => new Operation.ListModels()));
        app.MapGet("/v1/models/{model}", Handle(handler, native, ctx => new Operation.GetModel(RouteValue(ctx, "model"))));

        // Anthropic's OpenAI SDK compatibility endpoint: OpenAI shapes, Anthropic status codes (529 stays 529).
        var compat = new ApiSurface(OpenAiWire.OpenAi, AuthScheme.BearerOrXApiKey);
        app.MapPost("/v1/chat/completions", Handle(handler, compat, _ => new Operation.Complete()));
        app.MapFallback(Handle(handler, native, _ => new Operation.UnknownPath()));
    }

    private static void MapGemini(IEndpointRouteBuilder app, ProviderRequestHandler handler)
    {
        var native = new ApiSurface(GeminiWire.Instance, AuthScheme.GoogleApiKey, Validator: GeminiRequestValidator.Instance);
        app.MapGet("/v1beta/models", Handle(handler, native, _ => new Operation.ListModels()));
        app.MapGet("/v1beta/models/{model}", Handle(handler, native, ctx => new Operation.GetModel(RouteValue(ctx, "model"))));

        // "{model}:generateContent" is one path segment; split it here rather than rely on complex-segment routing.
        app.MapPost("/v1beta/models/{target}", Handle(handler, native, ctx =>
        {
            var target = RouteValue(ctx, "target");
            var colon = target.LastIndexOf(':');
            var (model, method) = colon < 0 ? (target, "") : (target[..colon], target[(colon + 1)..]);
            return method switch
            {
                "generateContent" => new Operation.Complete(model, Stream: false),
                "streamGenerateContent" => new Operation.Complete(model, Stream: true,
                    JsonArrayStream: !string.Equals(ctx.Request.Query["alt"], "sse", StringComparison.OrdinalIgnoreCase)),
                _ => new Operation.UnknownPath(),
            };
        }));

        MapOpenAi(app, handler, "/v1beta/openai", new ApiSurface(OpenAiWire.OpenAi, AuthScheme.Bearer));
        app.MapFallback(Handle(handler, native, _ => new Operation.UnknownPath()));
    }

    private static void MapOpenAi(IEndpointRouteBuilder app, ProviderRequestHandler handler, string prefix, ApiSurface surface)
    {
        app.MapPost($"{prefix}/chat/completions", Handle(handler, surface, _ => new Operation.Complete()));
        app.MapGet($"{prefix}/models", Handle(handler, surface, _ => new Operation.ListModels()));
        app.MapGet($"{prefix}/models/{{**model}}", Handle(handler, surface, ctx => new Operation.GetModel(RouteValue(ctx, "model"))));
        if (prefix == "/v1")
        {
            app.MapFallback(Handle(handler, surface, _ => new Operation.UnknownPath()));
        }
    }

    private static RequestDelegate Handle(ProviderRequestHandler handler, ApiSurface surface, Func<HttpContext, Operation> operation) =>
        ctx => handler.HandleAsync(ctx, surface, operation(ctx));

    private static string RouteValue(HttpContext ctx, string name) => ctx.Request.RouteValues[name]?.ToString() ?? "";
}
