using System.Text.Json;
using ControlPlane.Client;
using ControlPlane.Contracts;
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
    /// each ignores the other's fields, and both ignore ours: <c>aliases</c> on a route, <c>route</c> on an alias.
    /// </summary>
    private static async Task ListModels(HttpContext context, IRoutingTableSource table)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        WriteModels(json, table.Current);
    }

    /// <summary>A model the gateway answers to: a route (with its aliases) or an exact alias (with its route).</summary>
    internal sealed record ModelListing(string Id, string? Route, IReadOnlyList<string>? Aliases);

    /// <summary>
    /// Every route, with all its aliases (patterns included), and every exact alias as a model of its own naming its
    /// route — so a client that lists models before choosing finds the names it hard-codes. Patterns are not models.
    /// Sorted by id (ordinal).
    /// </summary>
    internal static IReadOnlyList<ModelListing> ModelsOf(RoutingTable? table)
    {
        if (table is null)
        {
            return [];
        }

        var routes = table.Routes.DistinctBy(r => r.Route, StringComparer.Ordinal).ToList();
        var listed = new HashSet<string>(routes.Select(r => r.Route), StringComparer.OrdinalIgnoreCase);
        var models = routes.Select(r => new ModelListing(r.Route, null, r.Aliases)).ToList();
        foreach (var route in routes)
        {
            foreach (var alias in route.Aliases)
            {
                if (!string.IsNullOrEmpty(alias) && !alias.Contains('*', StringComparison.Ordinal) && listed.Add(alias))
                {
                    models.Add(new ModelListing(alias, route.Route, null));
                }
            }
        }

        return models.OrderBy(m => m.Id, StringComparer.Ordinal).ToList();
    }

    internal static void WriteModels(Utf8JsonWriter json, RoutingTableChanged? current)
    {
        var models = ModelsOf(current?.Table);
        var created = current?.IssuedAt ?? DateTimeOffset.UnixEpoch;
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        foreach (var model in models)
        {
            json.WriteStartObject();
            json.WriteString("id", model.Id);
            json.WriteString("object", "model");
            json.WriteNumber("created", created.ToUnixTimeSeconds());
            json.WriteString("owned_by", "controlplane");
            json.WriteString("type", "model");
            json.WriteString("display_name", model.Id);
            json.WriteString("created_at", created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            if (model.Route is not null)
            {
                json.WriteString("route", model.Route);
            }

            if (model.Aliases is not null)
            {
                json.WriteStartArray("aliases");
                foreach (var alias in model.Aliases)
                {
                    json.WriteStringValue(alias);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteBoolean("has_more", false);
        if (models.Count > 0)
        {
            json.WriteString("first_id", models[0].Id);
            json.WriteString("last_id", models[^1].Id);
        }
        else
        {
            json.WriteNull("first_id");
            json.WriteNull("last_id");
        }

        json.WriteEndObject();
    }
}
