using System.Globalization;
using System.Net;
using System.Text.Json;

namespace ControlPlane.Service.Tests.Integration.Breakers;

/// <summary>One route as a stored routing table version publishes it.</summary>
internal sealed record RouteView(long Version, int? ActiveTier, string? PinnedTarget, bool Panic, IReadOnlyList<TargetView> Targets)
{
    public TargetView Target(string id) => Targets.Single(t => t.Target == id);
}

/// <param name="SlowStart">The target's slow-start ramp as published (<c>slowStart</c>), or null when it has none.</param>
internal sealed record TargetView(string Target, int Tier, int Weight, bool Eligible, string State, SlowStartView? SlowStart = null);

internal sealed record SlowStartView(DateTimeOffset StartedAt, long DurationMs, int FloorMilli, int Steps);

internal sealed record VersionView(long Version, long? PreviousVersion, DateTimeOffset CreatedAt);

internal sealed record TransitionRecord(string Target, string From, string To, string Reason, JsonElement Evidence, DateTimeOffset OccurredAt);

/// <summary>Reads the operations API the way an SRE's script would: plain HTTP and JSON.</summary>
internal static class OperationsReader
{
    /// <summary>The route in the latest stored table, or null while no table has been committed yet.</summary>
    public static async Task<RouteView?> LatestRouteAsync(HttpClient http, string route)
    {
        using var response = await http.GetAsync(new Uri("api/routing-tables/latest", UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return RouteOf(document.RootElement, route);
    }

    public static async Task<RouteView> RouteAtAsync(HttpClient http, long version, string route)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/routing-tables/{version}", UriKind.Relative)));
        return RouteOf(document.RootElement, route);
    }

    /// <summary>Every stored version, oldest first.</summary>
    public static async Task<IReadOnlyList<VersionView>> VersionsAsync(HttpClient http)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/routing-tables?limit=1000", UriKind.Relative)));
        return document.RootElement.EnumerateArray()
            .Select(v => new VersionView(
                v.GetProperty("version").GetInt64(),
                v.GetProperty("previousVersion").ValueKind == JsonValueKind.Null ? null : v.GetProperty("previousVersion").GetInt64(),
                v.GetProperty("createdAt").GetDateTimeOffset()))
            .OrderBy(v => v.Version)
            .ToList();
    }

    public static async Task<IReadOnlyList<TransitionRecord>> TransitionsAsync(HttpClient http, string? target = null)
    {
        var query = target is null ? "" : "?target=" + Uri.EscapeDataString(target);
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/transitions" + query, UriKind.Relative)));
        return document.RootElement.EnumerateArray()
            .Select(t => new TransitionRecord(
                t.GetProperty("target").GetString()!,
                t.GetProperty("from").GetString()!,
                t.GetProperty("to").GetString()!,
                t.GetProperty("reason").GetString()!,
                t.GetProperty("evidence").Clone(),
                t.GetProperty("occurredAt").GetDateTimeOffset()))
            .ToList();
    }

    /// <summary>One target's entry of <c>GET /api/breakers</c>.</summary>
    public static async Task<JsonElement> BreakerAsync(HttpClient http, string target)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/breakers", UriKind.Relative)));
        return document.RootElement.EnumerateArray().Single(b => b.GetProperty("target").GetString() == target).Clone();
    }

    /// <summary>The value of an unlabelled metric on /metrics, or null when it is not exposed.</summary>
    public static async Task<double?> MetricAsync(HttpClient http, string name)
    {
        var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(name.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private static RouteView RouteOf(JsonElement table, string route)
    {
        var version = table.GetProperty("version").GetInt64();
        var content = table.GetProperty("content");
        var r = content.GetProperty("routes").EnumerateArray().Single(x => x.GetProperty("route").GetString() == route);
        var targets = r.GetProperty("tiers").EnumerateArray()
            .SelectMany((tier, index) => tier.GetProperty("targets").EnumerateArray().Select(t => new TargetView(
                t.GetProperty("target").GetString()!,
                index,
                t.GetProperty("weight").GetInt32(),
                t.GetProperty("eligible").GetBoolean(),
                t.GetProperty("state").GetString()!,
                t.TryGetProperty("slowStart", out var ramp) && ramp.ValueKind == JsonValueKind.Object
                    ? new SlowStartView(
                        ramp.GetProperty("startedAt").GetDateTimeOffset(),
                        ramp.GetProperty("durationMs").GetInt64(),
                        ramp.GetProperty("floorMilli").GetInt32(),
                        ramp.GetProperty("steps").GetInt32())
                    : null)))
            .ToList();
        return new RouteView(
            version,
            r.GetProperty("activeTier").ValueKind == JsonValueKind.Null ? null : r.GetProperty("activeTier").GetInt32(),
            r.GetProperty("pinnedTarget").ValueKind == JsonValueKind.Null ? null : r.GetProperty("pinnedTarget").GetString(),
            r.GetProperty("panic").GetBoolean(),
            targets);
    }
}
