using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Chaos;
using ControlPlane.Simulator.Hosting;
using ControlPlane.Simulator.Providers.Validation;
using ControlPlane.Simulator.Providers.Wire;

namespace ControlPlane.Simulator.Providers;

/// Serves one request of a simulated provider: latency, auth, validation, then chaos or the normal answer.
/// Auth and validation run before chaos so a fault models a sick backend behind a working front door,
/// except auth-failure, which models the front door itself dying.
internal sealed class ProviderRequestHandler
{
    private readonly SimulatedProvider _provider;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;

    public ProviderRequestHandler(SimulatedProvider provider, TimeProvider time, CancellationToken stopping)
    {
        _provider = provider;
        _time = time;
        _stopping = stopping;
    }

    public async Task HandleAsync(HttpContext ctx, ApiSurface surface, Operation operation)
    {
        _provider.Stats.Received(ctx.Request.Path.Value ?? "/");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping);
        string outcome;
        var inFlight = _provider.Chaos.Enter();
        try
        {
            outcome = await ProcessAsync(ctx, surface, operation, inFlight, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // Client gave up or the listener is stopping: drop the connection rather than half-answer.
            ctx.Abort();
            outcome = "client-disconnected";
        }
        finally
        {
            _provider.Chaos.Leave();
        }

        _provider.Stats.Answered(outcome);
    }

    private async Task<string> ProcessAsync(HttpContext ctx, ApiSurface surface, Operation operation, int inFlight, CancellationToken ct)
    {
        var decision = _provider.Chaos.Decide(inFlight);
        if (decision.Latency > TimeSpan.Zero)
        {
            await Task.Delay(decision.Latency, _time, ct);
        }

        if (decision.Mode == ChaosMode.Refuse)
        {
            // Partial refuse rate: the listener stays up, so the best imitation is a reset connection.
            ctx.Abort();
            return decision.Mode.ToWireName();
        }

        var wire = surface.Wire;
        SetRequestIdHeader(ctx);
        if (CheckAuth(ctx.Request, surface.Auth) is { } authProblem)
        {
            var kind = authProblem ? SimErrorKind.Unauthorized : SimErrorKind.MissingKey;
            await WriteErrorAsync(ctx, surface, new SimError(kind, authProblem ? wire.WrongKeyMessage : wire.MissingKeyMessage), decision, ct);
            return "unauthorized";
        }

        if (surface.RequiresAnthropicVersion && string.IsNullOrEmpty(ctx.Request.Headers["anthropic-version"]))
        {
            await WriteErrorAsync(ctx, surface, new SimError(SimErrorKind.InvalidRequest, "anthropic-version: header is required"), decision, ct);
            return "invalid-request";
        }

        CompletionRequest? completion = null;
        switch (operation)
        {
            case Operation.UnknownPath:
                await WriteErrorAsync(ctx, surface, new SimError(SimErrorKind.NotFound, $"Not Found: {ctx.Request.Method} {ctx.Request.Path}"), decision, ct);
                return "not-found";

            case Operation.GetModel get when !_provider.HasModel(get.Model):
                await WriteErrorAsync(ctx, surface, new SimError(SimErrorKind.NotFound, wire.UnknownModelMessage(get.Model)), decision, ct);
                return "unknown-model";

            case Operation.Complete complete:
                JsonDocument doc;
                try
                {
                    doc = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ct);
                }
                catch (JsonException ex)
                {
                    await WriteErrorAsync(ctx, surface, new SimError(SimErrorKind.InvalidRequest, $"Request body is not valid JSON: {ex.Message}"), decision, ct);
                    return "invalid-request";
                }

                using (doc)
                {
                    if (surface.Validator?.Validate(doc.RootElement, new ValidationContext(Betas(ctx.Request), complete.CountTokens) { Model = complete.RouteModel }) is { } invalid)
                    {
                        var error = new SimError(SimErrorKind.InvalidRequest, invalid.Message, invalid.Param, invalid.Code, invalid.Details);
                        await WriteErrorAsync(ctx, surface, error, decision, ct);
                        return "invalid-request";
                    }

                    completion = wire.ParseCompletion(doc.RootElement, complete.RouteModel, complete.Stream, out var problem);
                    if (completion is null)
                    {
                        await WriteErrorAsync(ctx, surface, new SimError(SimErrorKind.InvalidRequest, problem), decision, ct);
                        return "invalid-request";
                    }

                    if (!complete.CountTokens && wire.ContentPolicyError is { } refusal && _provider.Options.RefusedPhrases.Count > 0)
                    {
                        var text = wire.LastUserText(doc.RootElement);
                        if (_provider.Options.RefusedPhrases.Exists(p => text.Contains(p, StringComparison.OrdinalIgnoreCase)))
                        {
                            await WriteErrorAsync(ctx, surface, refusal, decision, ct);
                            return "content-policy";
                        }
                    }
                }

                completion = completion with
                {
                    JsonArrayStream = complete.JsonArrayStream,
                    Stream = completion.Stream && !complete.CountTokens,
                };
                if (!_provider.HasModel(completion.Model))
                {
                    await WriteErrorAsync(ctx, surface, new SimError(SimErrorKind.NotFound, wire.UnknownModelMessage(completion.Model)), decision, ct);
                    return "unknown-model";
                }

                if (completion.MaxTokens is { } requested && ModelLimits.MaxOutputTokens(completion.Model) is { } limit && requested > limit)
                {
                    await WriteErrorAsync(ctx, surface, new SimError(SimErrorKind.InvalidRequest, wire.MaxTokensTooLargeMessage(completion.Model, requested, limit)), decision, ct);
                    return "invalid-request";
                }

                if (!complete.CountTokens
                    && ModelLimits.ContextWindow(completion.Model, _provider.Options.ContextWindows) is { } window
                    && wire.ContextWindowError(completion.InputTokens, completion.MaxTokens, window) is { } tooLong)
                {
                    await WriteErrorAsync(ctx, surface, tooLong, decision, ct);
                    return "context-window-exceeded";
                }

                break;

            default:
                break;
        }

        var fault = decision.Mode switch
        {
            ChaosMode.ServerError => new SimError(SimErrorKind.ServerError),
            ChaosMode.Overloaded => new SimError(SimErrorKind.Overloaded),
            ChaosMode.RateLimited => new SimError(SimErrorKind.RateLimited),
            ChaosMode.SpendCap => new SimError(SimErrorKind.SpendCap),
            ChaosMode.AuthFailure => new SimError(SimErrorKind.Unauthorized, wire.WrongKeyMessage),
            ChaosMode.BadRequest => new SimError(SimErrorKind.InvalidRequest),
            _ => null,
        };

        if (fault is not null)
        {
            await WriteErrorAsync(ctx, surface, fault, decision, ct);
            return decision.Mode.ToWireName();
        }

        switch (decision.Mode)
        {
            case ChaosMode.Hang:
                // Accept and never answer; the linked token ends it when the client gives up or the listener stops.
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }
                catch (OperationCanceledException)
                {
                    ctx.Abort();
                }

                return "hang";

            case ChaosMode.StreamError:
                await WriteStreamErrorAsync(ctx, surface, operation, completion, ct);
                return "stream-error";

            case ChaosMode.Malformed:
                await WriteMalformedAsync(ctx, surface, operation, completion, ct);
                return "malformed";

            default:
                await WriteSuccessAsync(ctx, surface, operation, completion, ct);
                return decision.Mode == ChaosMode.Slow ? "slow" : "ok";
        }
    }

    /// The anthropic-beta features a request switches on (one header, comma-separated, possibly repeated).
    private static string[] Betas(HttpRequest request) =>
        request.Headers["anthropic-beta"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();

    /// Null when the request may pass; false when the key is missing, true when it is present but wrong.
    private bool? CheckAuth(HttpRequest request, AuthScheme scheme)
    {
        if (_provider.Options.ApiKey is not { } expected)
        {
            return null;
        }

        var bearer = request.Headers.Authorization.ToString() is var auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? auth["Bearer ".Length..].Trim()
            : null;
        var presented = scheme switch
        {
            AuthScheme.Bearer => bearer,
            AuthScheme.BearerOrXApiKey => bearer ?? request.Headers["x-api-key"].ToString(),
            _ => request.Headers["x-goog-api-key"].ToString() is { Length: > 0 } header ? header : request.Query["key"].ToString(),
        };

        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected)) ? null : true;
    }

    private string RequestIdHeader => _provider.Kind == SimulatedProviderKind.Anthropic ? "request-id" : "x-request-id";

    private void SetRequestIdHeader(HttpContext ctx) =>
        ctx.Response.Headers[RequestIdHeader] = $"req_sim{_provider.NextSequence():D16}";

    private async Task WriteErrorAsync(HttpContext ctx, ApiSurface surface, SimError error, ChaosDecision decision, CancellationToken ct)
    {
        var status = ErrorStatus.For(_provider.Kind, error.Kind);
        if (error.Kind == SimErrorKind.RateLimited)
        {
            ctx.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (error.Kind is SimErrorKind.Unauthorized or SimErrorKind.MissingKey && surface.Auth == AuthScheme.Bearer)
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
        }

        await WriteJsonAsync(ctx, status, surface.Wire.ErrorBody(error, status, ctx.Response.Headers[RequestIdHeader].ToString()), ct);
    }

    private async Task WriteSuccessAsync(HttpContext ctx, ApiSurface surface, Operation operation, CompletionRequest? completion, CancellationToken ct)
    {
        if (completion is { Stream: true })
        {
            var reply = NewReply(surface.Wire, completion);
            var events = surface.Wire.StreamEvents(reply, completion);
            _provider.Stats.Billed(reply.InputTokens, reply.OutputTokens, reply.ReasoningTokens ?? 0);
            if (completion.JsonArrayStream)
            {
                await WriteJsonArrayStreamAsync(ctx, events.Select(e => e.Data), ct);
            }
            else
            {
                await WriteSseAsync(ctx, surface.Wire, events, ct);
            }

            return;
        }

        if (operation is Operation.Complete { CountTokens: false } && completion is not null)
        {
            var reply = NewReply(surface.Wire, completion);
            _provider.Stats.Billed(reply.InputTokens, reply.OutputTokens, reply.ReasoningTokens ?? 0);
            await WriteJsonAsync(ctx, StatusCodes.Status200OK, surface.Wire.Completion(reply), ct);
            return;
        }

        await WriteJsonAsync(ctx, StatusCodes.Status200OK, SuccessBody(surface, operation, completion), ct);
    }

    private async Task WriteStreamErrorAsync(HttpContext ctx, ApiSurface surface, Operation operation, CompletionRequest? completion, CancellationToken ct)
    {
        var error = new SimError(SimErrorKind.Overloaded);
        var status = ErrorStatus.For(_provider.Kind, error.Kind);
        if (completion is { Stream: true })
        {
            // 200, everything up to the first generated text, then the provider's mid-stream error event.
            var events = surface.Wire.StreamEvents(NewReply(surface.Wire, completion), completion);
            var firstContent = events.ToList().FindIndex(e => e.IsContent);
            var sent = events.Take(firstContent + 1).Append(surface.Wire.StreamError(error, status)).ToList();
            if (completion.JsonArrayStream)
            {
                await WriteJsonArrayStreamAsync(ctx, sent.Select(e => e.Data), ct);
            }
            else
            {
                await WriteSseAsync(ctx, surface.Wire, sent, ct);
            }

            return;
        }

        // Not streamed: promise the whole body and end after half of it. Kestrel then closes the connection once
        // the bytes are out (an explicit Abort could drop them unsent), so the client reads a premature EOF.
        var bytes = Utf8(SuccessBody(surface, operation, completion));
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    private async Task WriteMalformedAsync(HttpContext ctx, ApiSurface surface, Operation operation, CompletionRequest? completion, CancellationToken ct)
    {
        // A complete, well-framed 200 whose payload is cut-off JSON: only a parser notices.
        if (completion is { Stream: true } && !completion.JsonArrayStream)
        {
            var first = surface.Wire.StreamEvents(NewReply(surface.Wire, completion), completion)[0];
            await WriteSseAsync(ctx, surface.Wire, [first with { Data = first.Data[..(first.Data.Length / 2)] }], ct);
            return;
        }

        var json = WireHelpers.Json(SuccessBody(surface, operation, completion));
        var bytes = Encoding.UTF8.GetBytes(json[..(json.Length / 2)]);
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ct);
    }

    private JsonNode SuccessBody(ApiSurface surface, Operation operation, CompletionRequest? completion) => operation switch
    {
        Operation.ListModels => surface.Wire.ModelList(_provider.Options.Models),
        Operation.GetModel get => surface.Wire.Model(get.Model),
        Operation.Complete { CountTokens: true } => AnthropicWire.TokenCount(completion!),
        _ => surface.Wire.Completion(NewReply(surface.Wire, completion!)),
    };

    private SimulatedReply NewReply(IWireFormat wire, CompletionRequest request)
    {
        var sequence = _provider.NextSequence();
        return SimulatedReply.For(request, $"{wire.IdPrefix}{sequence:D16}", $"{wire.ToolCallIdPrefix}{sequence:D16}", _time.GetUtcNow());
    }

    private static async Task WriteJsonAsync(HttpContext ctx, int status, JsonNode body, CancellationToken ct)
    {
        var bytes = Utf8(body);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ct);
    }

    private static async Task WriteSseAsync(HttpContext ctx, IWireFormat wire, IEnumerable<SseEvent> events, CancellationToken ct)
    {
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "text/event-stream; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-cache";
        var nl = wire.NewLine;
        foreach (var e in events)
        {
            var frame = e.Name is null ? $"data: {e.Data}{nl}{nl}" : $"event: {e.Name}{nl}data: {e.Data}{nl}{nl}";
            await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), ct);
            await ctx.Response.Body.FlushAsync(ct);
        }
    }

    private static async Task WriteJsonArrayStreamAsync(HttpContext ctx, IEnumerable<string> chunks, CancellationToken ct)
    {
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        var separator = "[";
        foreach (var chunk in chunks)
        {
            await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(separator + chunk), ct);
            await ctx.Response.Body.FlushAsync(ct);
            separator = ",\r\n";
        }

        await ctx.Response.Body.WriteAsync("]"u8.ToArray(), ct);
    }

    private static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(WireHelpers.Json(node));
}

internal static class ErrorStatus
{
    /// Status comes from the provider, body shape from the surface: Anthropic's 529 is 529 on every endpoint,
    /// while OpenAI and Gemini have no 529 and answer overload with 503.
    public static int For(SimulatedProviderKind kind, SimErrorKind error) => error switch
    {
        SimErrorKind.InvalidRequest => StatusCodes.Status400BadRequest,
        SimErrorKind.Unauthorized or SimErrorKind.MissingKey => StatusCodes.Status401Unauthorized,
        SimErrorKind.NotFound => StatusCodes.Status404NotFound,
        SimErrorKind.RateLimited or SimErrorKind.SpendCap => StatusCodes.Status429TooManyRequests,
        SimErrorKind.Overloaded when kind == SimulatedProviderKind.Anthropic => 529,
        _ => StatusCodes.Status503ServiceUnavailable,
    };
}
