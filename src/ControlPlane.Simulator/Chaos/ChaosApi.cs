using System.Text.Json;
using System.Text.Json.Serialization;
using ControlPlane.Simulator.Hosting;
using ControlPlane.Simulator.Providers;

namespace ControlPlane.Simulator.Chaos;

/// The chaos API on the control port: inspect providers, set or clear their faults, read and reset counters.
internal static class ChaosApi
{
    private static readonly JsonSerializerOptions s_json = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }

    public static IEndpointRouteBuilder MapChaosApi(this IEndpointRouteBuilder app, SimulatorHost host)
    {
        var providers = app.MapGroup("/providers");

        providers.MapGet("/", () => TypedResults.Ok(host.Providers.Select(View).ToList()));

        providers.MapGet("/{id}", (string id) =>
            host.TryGet(id, out var p) ? Results.Ok(View(p)) : UnknownProvider(host, id));

        providers.MapGet("/{id}/chaos", (string id) =>
            host.TryGet(id, out var p) ? Results.Ok(p.Chaos.Settings) : UnknownProvider(host, id));

        providers.MapPut("/{id}/chaos", async (string id, HttpRequest request, CancellationToken ct) =>
        {
            if (!host.TryGet(id, out _))
            {
                return UnknownProvider(host, id);
            }

            ChaosSettings? settings;
            try
            {
                settings = await JsonSerializer.DeserializeAsync<ChaosSettings>(request.Body, s_json, ct);
            }
            catch (JsonException ex)
            {
                var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
                return Invalid(new Dictionary<string, string[]> { [field] = [FirstSentence(ex.Message)] });
            }

            if (settings is null)
            {
                return Invalid(new Dictionary<string, string[]> { ["body"] = ["The body must be a JSON chaos settings object, e.g. {\"mode\":\"overloaded\"}."] });
            }

            var errors = ChaosValidator.Validate(settings);
            if (errors.Count > 0)
            {
                return Invalid(errors);
            }

            await host.SetChaosAsync(id, settings, ct);
            return Results.Ok(settings);
        });

        providers.MapDelete("/{id}/chaos", async (string id, CancellationToken ct) =>
        {
            if (!host.TryGet(id, out _))
            {
                return UnknownProvider(host, id);
            }

            await host.SetChaosAsync(id, ChaosSettings.Healthy, ct);
            return Results.Ok(ChaosSettings.Healthy);
        });

        providers.MapGet("/{id}/stats", (string id) =>
            host.TryGet(id, out var p) ? Results.Ok(p.Stats.Snapshot()) : UnknownProvider(host, id));

        providers.MapDelete("/{id}/stats", (string id) =>
        {
            if (!host.TryGet(id, out var p))
            {
                return UnknownProvider(host, id);
            }

            p.Stats.Reset();
            return Results.NoContent();
        });

        return app;
    }

    private static ProviderView View(SimulatedProvider p) => new(
        p.Id,
        p.Kind.Name(),
        p.BaseUrl,
        p.Options.Models,
        p.IsListening,
        p.Chaos.ActiveStep().Mode,
        p.Chaos.Settings);

    private static IResult UnknownProvider(SimulatorHost host, string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown provider",
        detail: $"No simulated provider '{id}'. Known: {string.Join(", ", host.ProviderIds)}.");

    private static IResult Invalid(IDictionary<string, string[]> errors) => TypedResults.ValidationProblem(
        errors,
        title: "Invalid chaos settings",
        detail: string.Join(" ", errors.SelectMany(e => e.Value)));

    // System.Text.Json appends "Path: ... | LineNumber: ..." which the errors key already conveys.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    internal sealed record ProviderView(
        string Id,
        string Kind,
        Uri BaseUrl,
        IReadOnlyList<string> Models,
        bool Listening,
        ChaosMode ActiveMode,
        ChaosSettings Chaos);
}
