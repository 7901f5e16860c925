using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using ControlPlane.Gateway.Degradation;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Upstreams;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>
/// Anthropic's <c>POST /v1/messages/count_tokens</c>: asked of the route's Anthropic targets in order (passthrough,
/// only <c>model</c> spliced); when none can answer, estimated here from the decoded request (about four characters
/// a token, as providers' own rough guides say) and marked <c>x-gateway-estimated: true</c>. Counting is free and
/// not an inference, so it is not reported as traffic.
/// </summary>
internal sealed class TokenCounter(
    RoutePlanner planner, HttpMessageInvoker http, CodecRegistry codecs, IOptions<GatewayOptions> options)
{
    private const string Api = "anthropic";

    private readonly GatewayOptions _options = options.Value;

    public async Task CountAsync(HttpContext context)
    {
        var client = codecs.Client(ApiFormat.AnthropicMessages);
        var bytes = await RequestBody.ReadAsync(context.Request, _options.MaxRequestBodyBytes, context.RequestAborted);
        string? problem = null;
        if (bytes is null || RequestBody.TryParse(bytes, out problem) is not { } body)
        {
            AttemptRecorder.Finished(GatewayMetrics.UnknownRoute, Api, "rejected");
            await ApiErrors.WriteAsync(context, client, bytes is null
                ? new ApiFault(413, FaultKind.RequestTooLarge, $"The request body exceeds {_options.MaxRequestBodyBytes} bytes.")
                : ApiErrors.BadRequest(problem!));
            return;
        }

        var plan = planner.Plan(body.Model, Admission.Unrestricted);
        if (plan.Refusal is { } refusal)
        {
            AttemptRecorder.Finished(plan.Route, Api, "rejected");
            await ApiErrors.WriteAsync(context, client, refusal);
            return;
        }

        foreach (var candidate in plan.Candidates.Where(c => c.Provider.NativeFormat == ApiFormat.AnthropicMessages).Take(_options.MaxAttempts))
        {
            if (await TryProviderAsync(context, candidate, body))
            {
                AttemptRecorder.Finished(plan.Route, Api, "success");
                return;
            }
        }

        ChatRequest request;
        try
        {
            // count_tokens bodies carry no max_tokens; the decoder wants one, and it changes nothing counted here.
            request = client.DecodeRequest(WithMaxTokens(bytes));
        }
        catch (InvalidRequestException e)
        {
            AttemptRecorder.Finished(plan.Route, Api, "rejected");
            await ApiErrors.WriteAsync(context, client, ApiErrors.BadRequest(e.Message));
            return;
        }

        AttemptRecorder.Finished(plan.Route, Api, "estimated");
        context.Response.ContentType = "application/json";
        context.Response.Headers["x-gateway-estimated"] = "true";
        await context.Response.WriteAsync(
            string.Create(CultureInfo.InvariantCulture, $"{{\"input_tokens\":{Estimate(request)}}}"), context.RequestAborted);
    }

    private async Task<bool> TryProviderAsync(HttpContext context, Candidate candidate, RequestBody body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, candidate.Provider.UrlFor("/v1/messages/count_tokens" + context.Request.QueryString.Value))
        {
            Content = new ByteArrayContent(body.BodyFor(candidate.Target.Model)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("anthropic-version",
            context.Request.Headers.TryGetValue("anthropic-version", out var version) ? version.ToString() : "2023-06-01");
        if (context.Request.Headers.TryGetValue("anthropic-beta", out var beta))
        {
            request.Headers.TryAddWithoutValidation("anthropic-beta", beta.ToString());
        }

        candidate.Provider.Authenticate(request);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(_options.StreamingResponseHeadersTimeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            var answer = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            context.Response.ContentType = "application/json";
            context.Response.Headers["x-gateway-target"] = candidate.Target.Target;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>About four characters a token over everything the model would read: instructions, turns, tools.</summary>
    internal static int Estimate(ChatRequest request)
    {
        long characters = request.System.Sum(s => (long)s.Length);
        foreach (var message in request.Messages)
        {
            foreach (var part in message.Content)
            {
                characters += part switch
                {
                    TextPart text => text.Text.Length,
                    ToolCallPart call => call.Name.Length + call.Arguments.Length,
                    ToolResultPart result => result.Content.OfType<TextPart>().Sum(t => (long)t.Text.Length),
                    ThinkingPart thinking => thinking.Text.Length,
                    ImagePart => 1_600 * 4, // a typical image is about 1,600 tokens
                    _ => 0,
                };
            }
        }

        foreach (var tool in request.Tools)
        {
            characters += tool.Name.Length + (tool.Description?.Length ?? 0) + (tool.Parameters?.GetRawText().Length ?? 0);
        }

        return (int)Math.Max(1, (characters + 3) / 4);
    }

    private static byte[] WithMaxTokens(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Object || document.RootElement.TryGetProperty("max_tokens", out _))
        {
            return body;
        }

        using var buffer = new MemoryStream(body.Length + 24);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                property.WriteTo(json);
            }

            json.WriteNumber("max_tokens", 1);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
