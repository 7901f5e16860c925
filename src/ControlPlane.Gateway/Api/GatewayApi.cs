using System.Text.Json;
using ControlPlane.Client;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Upstreams;

namespace ControlPlane.Gateway.Api;

/// <summary>The client-facing endpoints. Handlers stay thin: the forwarder does the work.</summary>
public static class GatewayApi
{
    /// <summary>
    /// OpenAI-compatible: <c>POST /v1/chat/completions</c>, <c>POST /v1/responses</c> (stateless) and
    /// <c>GET /v1/models</c> (the routes as models).
    /// </summary>
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/chat/completions", (HttpContext context, ChatForwarder forwarder) => forwarder.ForwardAsync(context, ApiFormat.OpenAiChat));
        endpoints.MapPost("/v1/responses", (HttpContext context, ChatForwarder forwarder) => forwarder.ForwardAsync(context, ApiFormat.OpenAiResponses));
        endpoints.MapGet("/v1/models", ListModels);
        return endpoints;
    }

    /// <summary>Anthropic-compatible: <c>POST /v1/messages</c>, passed through to Anthropic targets and translated for the others.</summary>
    public static IEndpointRouteBuilder MapAnthropicApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/messages", (HttpContext context, ChatForwarder forwarder) => forwarder.ForwardAsync(context, ApiFormat.AnthropicMessages));
        endpoints.MapPost("/v1/messages/count_tokens", (HttpContext context, TokenCounter counter) => counter.CountAsync(context));
        return endpoints;
    }

    /// <summary>
    /// One list both SDKs read: OpenAI's <c>{object:"list", data:[{id, object:"model", created, owned_by}]}</c> and
    /// Anthropic's <c>{data:[{type:"model", id, display_name, created_at}], has_more, first_id, last_id}</c> —
    /// each ignores the other's fields.
    /// </summary>
    private static async Task ListModels(HttpContext context, IRoutingTableSource table)
    {
        var current = table.Current;
        var routes = current?.Table.Routes.Select(r => r.Route).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() ?? [];
        var created = current?.IssuedAt ?? DateTimeOffset.UnixEpoch;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        foreach (var route in routes)
        {
            json.WriteStartObject();
            json.WriteString("id", route);
            json.WriteString("object", "model");
            json.WriteNumber("created", created.ToUnixTimeSeconds());
            json.WriteString("owned_by", "controlplane");
            json.WriteString("type", "model");
            json.WriteString("display_name", route);
            json.WriteString("created_at", created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteBoolean("has_more", false);
        if (routes.Count > 0)
        {
            json.WriteString("first_id", routes[0]);
            json.WriteString("last_id", routes[^1]);
        }
        else
        {
            json.WriteNull("first_id");
            json.WriteNull("last_id");
        }

        json.WriteEndObject();
    }
}
