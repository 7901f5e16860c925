using System.Net.ServerSentEvents;
using System.Text;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Probing.Clients;
using ControlPlane.Service.Probing.Usage;
using Microsoft.Extensions.Logging;
using Polly;

namespace ControlPlane.Service.Probing;

/// <summary>
/// Probes a target with the smallest real request its provider accepts (or the free list-models call), measuring
/// time to first token and total, and classifies whatever happens with <see cref="ProbeClassifier"/>.
/// </summary>
public sealed class ProbeExecutor : IProbeExecutor
{
    private const int MaxErrorBodyBytes = 16 * 1024;
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    private readonly ProviderCatalog _catalog;
    private readonly ProviderApis _apis;
    private readonly ProbePipelines _pipelines;
    private readonly TimeProvider _time;
    private readonly ILogger<ProbeExecutor> _logger;

    public ProbeExecutor(ProviderCatalog catalog, ProviderApis apis, ProbePipelines pipelines, TimeProvider time, ILogger<ProbeExecutor> logger)
    {
        _catalog = catalog;
        _apis = apis;
        _pipelines = pipelines;
        _time = time;
        _logger = logger;
    }

    public async Task<ProbeSample> ProbeAsync(TargetDefinition target, CancellationToken cancellationToken)
    {
        if (!_catalog.Providers.TryGetValue(target.ProviderId, out var provider))
        {
            throw new ArgumentException($"Target '{target.Id}' names provider '{target.ProviderId}', which is not in the catalog.", nameof(target));
        }

        var observedAt = _time.GetUtcNow();
        var attempt = new ProbeAttempt(_time.GetTimestamp());
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ProbePipelines.TimeoutKey, target.Probe.Timeout);
        try
        {
            await _pipelines.For(provider.Id).ExecuteAsync(
                static (ctx, state) => new ValueTask(state.Self.RunAsync(state.Provider, state.Target, state.Attempt, ctx.CancellationToken)),
                context,
                (Self: this, Provider: provider, Target: target, Attempt: attempt));
        }
        catch (Exception ex)
        {
            // The caller's cancellation (shutdown, job interrupted) is not an observation of the provider.
            cancellationToken.ThrowIfCancellationRequested();
            attempt.OnException(ex);
            if (attempt.KeyProblem is { } problem)
            {
                Log.KeyUnavailable(_logger, provider.Id, problem);
            }
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        var latency = _time.GetElapsedTime(attempt.StartedAt);
        var classification = ProbeClassifier.Classify(attempt.ToObservation(provider.Kind, latency, target.Probe.LatencyObjective));
        var sample = new ProbeSample(
            target.Id,
            provider.Id,
            target.Model,
            classification.Outcome,
            observedAt,
            latency,
            attempt.TimeToFirstToken,
            attempt.HttpStatus,
            attempt.RetryAfter,
            classification.Detail,
            target.Probe.Mode,
            attempt.Usage);

        ProbeMetrics.Record(sample);
        ProbeSpendMetrics.Record(sample, target.Price);
        LogSample(sample, provider);
        return sample;
    }

    private async Task RunAsync(ProviderDefinition provider, TargetDefinition target, ProbeAttempt attempt, CancellationToken cancellationToken)
    {
        var streamed = target.Probe.Mode == ProbeMode.Inference && target.Probe.Stream;
        using var response = await SendAsync(provider, target, cancellationToken);
        attempt.OnResponse(response, _time.GetUtcNow());

        if (!response.IsSuccessStatusCode)
        {
            var body = await ReadBoundedAsync(response.Content, MaxErrorBodyBytes, cancellationToken);
            attempt.ErrorBody = body.Text;
            attempt.RetryAfter ??= ProviderError.TryParse(body.Text)?.RetryDelay;
            return;
        }

        if (streamed)
        {
            await ReadStreamAsync(provider.Kind, response, attempt, cancellationToken);
        }
        else
        {
            var body = await ReadBoundedAsync(response.Content, MaxBodyBytes, cancellationToken);
            attempt.MalformedReason = body.Truncated
                ? "body exceeds the probe's size limit"
                : ResponseValidator.Validate(provider.Kind, target.Probe.Mode, body.Text);
            if (target.Probe.Mode == ProbeMode.Inference && !body.Truncated)
            {
                attempt.Usage = ProbeUsageReader.FromBody(provider.Kind, body.Text);
            }
        }
    }

    private Task<HttpResponseMessage> SendAsync(ProviderDefinition provider, TargetDefinition target, CancellationToken cancellationToken)
    {
        var probe = target.Probe;
        var headers = probe.Headers as IDictionary<string, string> ?? new Dictionary<string, string>(probe.Headers);
        if (probe.Mode == ProbeMode.Models)
        {
            return provider.Kind switch
            {
                ProviderKind.Anthropic => _apis.Anthropic(provider).ListModelsAsync(headers, cancellationToken),
                ProviderKind.Gemini => _apis.Gemini(provider).ListModelsAsync(headers, cancellationToken),
                _ => _apis.OpenAI(provider).ListModelsAsync(headers, cancellationToken),
            };
        }

        // The request fits the model family: reasoning models get their lowest effort and room to answer after it.
        var shape = ProbeProfiles.For(provider.Kind, target.Model, probe);
        switch (provider.Kind)
        {
            case ProviderKind.Anthropic:
                return _apis.Anthropic(provider).CreateMessageAsync(
                    new AnthropicMessageRequest
                    {
                        Model = target.Model,
                        MaxTokens = shape.MaxTokens,
                        Messages = [new AnthropicMessage("user", probe.Prompt)],
                        Stream = probe.Stream,
                    },
                    headers,
                    cancellationToken);

            case ProviderKind.Gemini:
                var model = target.Model.StartsWith("models/", StringComparison.Ordinal) ? target.Model["models/".Length..] : target.Model;
                var request = new GeminiGenerateRequest
                {
                    Contents = [new GeminiContent("user", [new GeminiPart(probe.Prompt)])],
                    GenerationConfig = new GeminiGenerationConfig(shape.MaxTokens)
                    {
                        ThinkingConfig = shape.ThinkingBudget is null && shape.ThinkingLevel is null
                            ? null
                            : new GeminiThinkingConfig { ThinkingBudget = shape.ThinkingBudget, ThinkingLevel = shape.ThinkingLevel },
                    },
                };
                var gemini = _apis.Gemini(provider);
                return probe.Stream
                    ? gemini.StreamGenerateContentAsync(model, request, headers, cancellationToken)
                    : gemini.GenerateContentAsync(model, request, headers, cancellationToken);

            default:
                // OpenAI's current models reject max_tokens; local servers mostly only know max_tokens (ProbeProfiles).
                var completionTokens = shape.LimitField == ProbeTokenLimitField.MaxCompletionTokens;
                return _apis.OpenAI(provider).CreateChatCompletionAsync(
                    new OpenAIChatRequest
                    {
                        Model = target.Model,
                        Messages = [new OpenAIMessage("user", probe.Prompt)],
                        MaxTokens = completionTokens ? null : shape.MaxTokens,
                        MaxCompletionTokens = completionTokens ? shape.MaxTokens : null,
                        Stream = probe.Stream,
                        ReasoningEffort = shape.ReasoningEffort,
                        StreamOptions = probe.Stream ? OpenAIStreamOptions.WithUsage : null,
                    },
                    headers,
                    cancellationToken);
        }
    }

    private async Task ReadStreamAsync(ProviderKind kind, HttpResponseMessage response, ProbeAttempt attempt, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType is not "text/event-stream")
        {
            attempt.MalformedReason = "expected text/event-stream";
            return;
        }

        var reader = new StreamEventReader(kind);
        var usage = new StreamUsageTracker(kind);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
        {
            var verdict = reader.Read(item.EventType, item.Data);
            attempt.Usage = usage.Read(item.Data);
            if (reader.SawContent)
            {
                attempt.OnFirstToken(_time);
            }

            switch (verdict)
            {
                case StreamVerdict.Completed:
                    attempt.MalformedReason = EmptyAnswerProblem(reader, attempt);
                    return;
                case StreamVerdict.ErrorEvent:
                    attempt.Stream = StreamFailure.ErrorEvent;
                    attempt.ErrorBody = item.Data;
                    return;
                case StreamVerdict.Malformed:
                    attempt.MalformedReason = reader.Problem;
                    return;
            }
        }

        if (reader.EndedCleanly)
        {
            attempt.MalformedReason = EmptyAnswerProblem(reader, attempt);
            return;
        }

        if (reader.Events == 0)
        {
            attempt.MalformedReason = "no server-sent events in the body";
        }
        else
        {
            attempt.Stream = StreamFailure.BrokeOff;
        }
    }

    /// <summary>
    /// An answer that ends with no content is not a success, unless it was cut short at the probe's own output limit
    /// after the model reported generating tokens: a reasoning model that cannot switch reasoning off is probed with a
    /// limit below its reasoning (docs/configuration.md, "Probe profiles"), and spending that limit is the model working.
    /// </summary>
    private static string? EmptyAnswerProblem(StreamEventReader reader, ProbeAttempt attempt) =>
        reader.SawContent || reader.CutShort && attempt.Usage is { BilledOutputTokens: > 0 } ? null : "stream ended without content";

    private static async Task<(string Text, bool Truncated)> ReadBoundedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
        using var collected = new MemoryStream();
        int read;
        while (collected.Length <= maxBytes && (read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            collected.Write(buffer, 0, read);
        }

        var truncated = collected.Length > maxBytes;
        var length = (int)Math.Min(collected.Length, maxBytes);
        return (Encoding.UTF8.GetString(collected.GetBuffer(), 0, length), truncated);
    }

    private void LogSample(ProbeSample sample, ProviderDefinition provider)
    {
        var mode = sample.Mode == ProbeMode.Models ? "models" : "inference";
        switch (sample.Outcome)
        {
            case ProbeOutcome.Success:
                Log.ProbeSucceeded(_logger, sample.Target.Value, mode, sample.Latency.TotalMilliseconds, sample.TimeToFirstToken?.TotalMilliseconds);
                break;
            case ProbeOutcome.AuthFailure:
                Log.ProbeUnauthorized(_logger, sample.Target.Value, provider.Id, sample.Detail);
                break;
            default:
                Log.ProbeFailed(_logger, sample.Target.Value, mode, sample.Outcome.ToWireName(), sample.Latency.TotalMilliseconds, sample.Detail);
                break;
        }
    }
}
