using ControlPlane.Core.Probing;
using System.Globalization;
using System.Net;
using System.Text.Json;
using ControlPlane.Simulator;
using ControlPlane.Testing;

namespace ControlPlane.Service.Tests.Integration;

/// <summary>The read API, health endpoints, OpenAPI document and metrics of a running service that has been probing.</summary>
[Collection(ProbingServiceCollection.Name)]
public sealed class HealthApiTests(ProbingServiceFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);
    private static readonly string Healthy = ProbingServiceFixture.TargetId("anthropic", ChaosMode.Healthy);
    private static readonly string Overloaded = ProbingServiceFixture.TargetId("anthropic", ChaosMode.Overloaded);

    [Fact]
    public async Task Targets_ListEveryTargetWithItsLastSampleAndWindowStats()
    {
        var targets = await Eventually.UntilAsync(
            () => GetJsonAsync("api/targets"),
            json => Find(json, Healthy) is { } t && t.GetProperty("window").GetProperty("total").GetDouble() >= 2
                && Find(json, Overloaded)?.GetProperty("lastSample").ValueKind == JsonValueKind.Object,
            Deadline,
            "the healthy and overloaded targets have been probed a few times");

        Assert.Equal(ProbingServiceFixture.TargetIds.Order(StringComparer.Ordinal), targets.EnumerateArray().Select(t => t.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));

        var healthy = Find(targets, Healthy)!.Value;
        Assert.Equal("anthropic-healthy", healthy.GetProperty("provider").GetString());
        Assert.Equal(ProbingServiceFixture.Model, healthy.GetProperty("model").GetString());
        Assert.Equal("anthropic", healthy.GetProperty("kind").GetString());
        Assert.Equal("inference", healthy.GetProperty("probeMode").GetString());
        Assert.Equal(ProbingServiceFixture.Interval.TotalSeconds, healthy.GetProperty("probeIntervalSeconds").GetDouble());
        // A healthy simulator answers every probe; on a loaded machine a probe can still miss its deadline, so the
        // window is checked for consistency with its own counts rather than for perfection.
        Assert.Contains(healthy.GetProperty("lastSample").GetProperty("outcome").GetString(), new[] { "success", "timeout" });
        var window = healthy.GetProperty("window");
        var counts = window.GetProperty("counts");
        var successes = counts.GetProperty("success").GetDouble();
        var timeouts = counts.TryGetProperty("timeout", out var t) ? t.GetDouble() : 0;
        Assert.True(successes >= 2);
        Assert.Equal(successes + timeouts, window.GetProperty("total").GetDouble());
        Assert.Equal(timeouts / (successes + timeouts), window.GetProperty("failureRatio").GetDouble(), 6);
        Assert.True(window.GetProperty("latencyP50Ms").GetDouble() > 0);

        var overloaded = Find(targets, Overloaded)!.Value;
        Assert.Equal("overloaded", overloaded.GetProperty("lastSample").GetProperty("outcome").GetString());
        Assert.Equal(529, overloaded.GetProperty("lastSample").GetProperty("httpStatus").GetInt32());
        Assert.True(overloaded.GetProperty("window").GetProperty("overloadRatio").GetDouble() > 0);
    }

    [Fact]
    public async Task Samples_ReturnWhatIsStoredForTheRange()
    {
        var from = DateTimeOffset.UtcNow.AddMinutes(-10);
        await Eventually.UntilAsync(
            async () => (await fixture.SamplesOfAsync(Healthy)).Count >= 3, Deadline, $"{Healthy} has three stored samples");
        var to = DateTimeOffset.UtcNow;
        var stored = await fixture.SamplesOfAsync(Healthy); // everything so far lies inside [from, to)

        var samples = await GetJsonAsync($"api/samples?target={Escape(Healthy)}&from={Time(from)}&to={Time(to)}");

        var items = samples.EnumerateArray().ToList();
        Assert.True(items.Count >= stored.Count, $"the API returned {items.Count} samples, Postgres holds at least {stored.Count}");
        Assert.All(items, s => Assert.Equal(Healthy, s.GetProperty("target").GetString()));
        Assert.All(items.Where(s => s.GetProperty("outcome").GetString() == "success"), s => Assert.Equal(200, s.GetProperty("httpStatus").GetInt32()));
        // Every stored row comes back with its outcome and latency (the range covers all of them).
        var returned = items.Select(s => (s.GetProperty("outcome").GetString(), Math.Round(s.GetProperty("latencyMs").GetDouble(), 3))).ToHashSet();
        Assert.All(stored, row => Assert.Contains((((ControlPlane.Core.Probing.ProbeOutcome)row.Outcome).ToWireName(), Math.Round(row.LatencyMs, 3)), returned));
        var times = items.Select(s => s.GetProperty("observedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times); // oldest first
        Assert.All(times, t => Assert.InRange(t, from, to));

        var newest = await GetJsonAsync($"api/samples?target={Escape(Healthy)}&from={Time(from)}&to={Time(to)}&limit=1");
        // Probing goes on: a sample observed before `to` may be stored after the first read, so the newest is at
        // least the one seen then (the oldest, were the limit applied at the wrong end, is older).
        var latest = Assert.Single(newest.EnumerateArray().ToList()).GetProperty("observedAt").GetDateTimeOffset();
        Assert.InRange(latest, times[^1], to);
    }

    [Fact]
    public async Task Rollups_AppearOnceComputed()
    {
        var rollups = await Eventually.UntilAsync(
            () => GetJsonAsync($"api/rollups?target={Escape(Overloaded)}"),
            json => json.GetArrayLength() > 0,
            Deadline,
            $"a minute rollup of {Overloaded} is computed");

        var rollup = rollups[0];
        var json = rollup.GetRawText();
        var total = rollup.GetProperty("total").GetInt32();
        Assert.True(total >= 1, json);
        Assert.Equal(Overloaded, rollup.GetProperty("target").GetString());
        // Same vocabulary as the samples: outcome wire names, milliseconds.
        Assert.Equal(total, rollup.GetProperty("counts").GetProperty("overloaded").GetInt32() + rollup.GetProperty("counts").GetProperty("timeout").GetInt32());
        Assert.True(rollup.GetProperty("latencyP50Ms").GetDouble() > 0, json);
        var start = rollup.GetProperty("bucketStart").GetDateTimeOffset();
        Assert.Equal(0, start.Second);
        Assert.InRange(start, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);
    }

    public static TheoryData<string, HttpStatusCode> BadQueries() => new()
    {
        { "api/samples", HttpStatusCode.BadRequest },
        { "api/rollups", HttpStatusCode.BadRequest },
        { $"api/samples?target={Escape(Healthy)}&from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", HttpStatusCode.BadRequest },
        { $"api/samples?target={Escape(Healthy)}&from=2025-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", HttpStatusCode.BadRequest },
        { $"api/samples?target={Escape(Healthy)}&limit=0", HttpStatusCode.BadRequest },
        { $"api/samples?target={Escape(Healthy)}&from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z", HttpStatusCode.BadRequest },
        { "api/samples?target=no-such/target", HttpStatusCode.NotFound },
        { "api/rollups?target=no-such/target", HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task BadQuery_IsAProblemDetails(string query, HttpStatusCode status)
    {
        using var response = await fixture.Http.GetAsync(fixture.Url(query));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
    }

    [Theory]
    [InlineData("healthz")]
    [InlineData("readyz")]
    public async Task HealthEndpoints_Answer200(string path)
    {
        using var response = await fixture.Http.GetAsync(fixture.Url(path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheApi()
    {
        var document = await GetJsonAsync("openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/targets", paths);
        Assert.Contains("/api/samples", paths);
        Assert.Contains("/api/rollups", paths);
    }

    [Fact]
    public async Task Metrics_CountProbesByOutcome()
    {
        var metrics = await Eventually.UntilAsync(
            () => PrometheusText.ScrapeAsync(fixture.Http, fixture.Service.BaseUrl),
            m => m.Sum("controlplane_probes_total", l => l["outcome"] == "success") > 0
                && m.Sum("controlplane_probes_total", l => l["outcome"] == "overloaded") > 0
                && m.Sum("controlplane_samples_ingested_total") > 0,
            Deadline,
            "probes and ingested samples are counted");

        Assert.True(metrics.Sum("controlplane_probes_total", l => l["provider"] == "anthropic-healthy" && l["model"] == ProbingServiceFixture.Model) > 0);
        Assert.NotEmpty(metrics.Buckets("controlplane_probe_schedule_lag_seconds"));
    }

    private async Task<JsonElement> GetJsonAsync(string relative)
    {
        using var response = await fixture.Http.GetAsync(fixture.Url(relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {relative}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static JsonElement? Find(JsonElement targets, string id) =>
        targets.EnumerateArray().Where(t => t.GetProperty("id").GetString() == id).Select(t => (JsonElement?)t).FirstOrDefault();

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static string Time(DateTimeOffset value) => Escape(value.ToString("O", CultureInfo.InvariantCulture));
}
