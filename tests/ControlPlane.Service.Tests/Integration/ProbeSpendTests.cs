using System.Text.Json;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Npgsql;

namespace ControlPlane.Service.Tests.Integration;

/// <summary>
/// Probe spend end to end: a control plane process probes priced targets of every provider kind, streamed and not,
/// against the simulator, which sums the usage its answers carried. The token counters, the cost counter, the stored
/// sample columns and the API's spend must all equal that sum, costed at the catalog's prices.
/// </summary>
public sealed class ProbeSpendTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Model = "sim-model";
    private static readonly string[] Kinds = ["anthropic", "openai", "gemini", "openai-compatible"];

    private sealed record PricedProvider(string Id, string Kind, bool Stream, TokenPrice Price)
    {
        public string Target => $"{Id}/{Model}";
    }

    [Fact]
    public async Task PricedTargets_TokensCostStoredColumnsAndApiSpend_EqualTheUsageInTheSimulatorsAnswers()
    {
        // Distinct prices per target, so a cost booked against the wrong target or price shows.
        var providers = Kinds
            .SelectMany((kind, i) => new[] { true, false }.Select(stream => new PricedProvider(
                $"{kind}-{(stream ? "stream" : "plain")}", kind, stream, new TokenPrice(1.25m + i + (stream ? 0.5m : 0m), 10m + (3 * i) + (stream ? 1m : 0m)))))
            .ToList();
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Providers = providers.Select(p => new SimulatedProviderOptions { Id = p.Id, Kind = p.Kind, Models = [Model] }).ToList(),
        });
        using var config = ConfigFile.Write(new
        {
            Catalog = new
            {
                // Timeouts as long as the interval allows: a probe that gives up after the simulator billed its answer would
                // (rightly) count nothing, and a loaded test machine must not make that happen.
                Probe = new { Mode = "inference", Interval = "00:00:03", Timeout = "00:00:03", MaxTokens = 4 },
                Providers = providers.Select(p => new
                {
                    p.Id,
                    p.Kind,
                    BaseUrl = simulator.BaseUrlOf(p.Id).ToString(),
                    ApiKeyEnv = p.Kind == "openai-compatible" ? null : "CP_IT_SPEND_KEY",
                }).ToArray(),
                Targets = providers.Select(p => new
                {
                    Provider = p.Id,
                    Model,
                    Probe = new { p.Stream },
                    Price = new { p.Price.InputPerMillion, p.Price.OutputPerMillion },
                }).ToArray(),
            },
        });
        var environment = (await ServiceEnvironment.CreateAsync(database.ConnectionString)).With(new Dictionary<string, string?>
        {
            [ConfigFile.Variable] = config.Path,
            ["CP_IT_SPEND_KEY"] = $"sk-it-{Guid.NewGuid():N}",
        });
        await using var service = await ServiceProcess.StartAsync("ControlPlane.Service", environment);
        await using var dataSource = database.CreateDataSource();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // Let every target spend a few probes' worth, then stop the spending: a server error bills nothing. Probes of
        // one target run one at a time, so once a server error of each target is stored, every answer the simulator
        // billed has been read, counted and stored, and the totals stand still for the comparison.
        await Eventually.UntilAsync(
            async () => await CountStoredAsync(dataSource, ProbeOutcome.Success) >= providers.Count * 2
                && (await Task.WhenAll(providers.Select(p => SuccessesOfAsync(dataSource, p.Target)))).All(n => n >= 2),
            TimeSpan.FromSeconds(90),
            "every target has at least two successful probes stored");
        foreach (var provider in providers)
        {
            await simulator.SetChaosAsync(provider.Id, new ChaosSettings { Mode = ChaosMode.ServerError });
        }

        await Eventually.UntilAsync(
            async () => (await Task.WhenAll(providers.Select(p => HasStoredFailureAsync(dataSource, p.Target)))).All(x => x),
            TimeSpan.FromSeconds(60),
            "every target has a stored failure, after all of its successes");

        var metrics = await PrometheusText.ScrapeAsync(http, service.BaseUrl);
        var targets = await GetTargetsAsync(http, service.BaseUrl);
        foreach (var provider in providers)
        {
            var billed = simulator.StatsOf(provider.Id).Tokens;
            var expected = new TokenTotals(billed.Input, billed.Output, billed.Reasoning);
            var cost = ProbeSpend.Cost(expected, provider.Price);
            Assert.True(billed.Input > 0 && billed.Output > 0, $"{provider.Id}: the simulator billed nothing ({billed})");

            var stored = await StoredTokensAsync(dataSource, provider.Target);
            Assert.True(
                expected == stored,
                $"{provider.Id}: stored {stored}, the simulator billed {expected}; its answers: "
                + string.Join(", ", simulator.StatsOf(provider.Id).ByOutcome.Select(o => $"{o.Key}={o.Value}"))
                + "; stored outcomes: " + string.Join(", ", await OutcomesOfAsync(dataSource, provider.Target)));

            Assert.Equal(
                expected,
                new TokenTotals(
                    (long)metrics.Sum("controlplane_probe_tokens_total", l => l["provider"] == provider.Id && l["kind"] == "input"),
                    (long)metrics.Sum("controlplane_probe_tokens_total", l => l["provider"] == provider.Id && l["kind"] == "output"),
                    (long)metrics.Sum("controlplane_probe_tokens_total", l => l["provider"] == provider.Id && l["kind"] == "reasoning")));
            Assert.Equal((double)cost, metrics.Sum("controlplane_probe_cost_usd_total", l => l["provider"] == provider.Id), 9);

            var samples = await GetJsonAsync(http, service.BaseUrl, $"api/samples?target={Uri.EscapeDataString(provider.Target)}");
            var usages = samples.EnumerateArray().Select(x => x.GetProperty("usage")).Where(u => u.ValueKind != JsonValueKind.Null).ToList();
            Assert.Equal(
                expected,
                new TokenTotals(
                    usages.Sum(u => u.GetProperty("inputTokens").GetInt64()),
                    usages.Sum(u => u.GetProperty("outputTokens").GetInt64()),
                    usages.Sum(u => u.GetProperty("reasoningTokens").GetInt64())));

            // The latest sample is the failure that froze the spending: it reported nothing.
            Assert.Equal(JsonValueKind.Null, targets[provider.Target].GetProperty("lastSample").GetProperty("usage").ValueKind);
            var spend = targets[provider.Target].GetProperty("spend");
            foreach (var window in new[] { "last24Hours", "last30Days" })
            {
                var view = spend.GetProperty(window);
                Assert.Equal(
                    expected,
                    new TokenTotals(view.GetProperty("inputTokens").GetInt64(), view.GetProperty("outputTokens").GetInt64(), view.GetProperty("reasoningTokens").GetInt64()));
                Assert.Equal(cost, view.GetProperty("usd").GetDecimal());
            }
        }

        Assert.False(service.HasExited);
    }

    private static async Task<Dictionary<string, JsonElement>> GetTargetsAsync(HttpClient http, Uri baseUrl) =>
        (await GetJsonAsync(http, baseUrl, "api/targets")).EnumerateArray().ToDictionary(t => t.GetProperty("id").GetString()!);

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, Uri baseUrl, string relative)
    {
        using var response = await http.GetAsync(new Uri(baseUrl, relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {relative}: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private static async Task<long> CountStoredAsync(NpgsqlDataSource dataSource, ProbeOutcome outcome)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM probe_samples WHERE outcome = $1");
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)outcome });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> SuccessesOfAsync(NpgsqlDataSource dataSource, string target)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM probe_samples WHERE target_id = $1 AND outcome = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = target });
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)ProbeOutcome.Success });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<bool> HasStoredFailureAsync(NpgsqlDataSource dataSource, string target)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM probe_samples WHERE target_id = $1 AND outcome <> $2)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = target });
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)ProbeOutcome.Success });
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<IReadOnlyList<string>> OutcomesOfAsync(NpgsqlDataSource dataSource, string target)
    {
        await using var command = dataSource.CreateCommand("SELECT outcome, input_tokens FROM probe_samples WHERE target_id = $1 ORDER BY observed_at");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = target });
        await using var reader = await command.ExecuteReaderAsync();
        var outcomes = new List<string>();
        while (await reader.ReadAsync())
        {
            outcomes.Add($"{((ProbeOutcome)reader.GetInt16(0)).ToWireName()}({(reader.IsDBNull(1) ? "-" : reader.GetInt32(1))})");
        }

        return outcomes;
    }

    private static async Task<TokenTotals> StoredTokensAsync(NpgsqlDataSource dataSource, string target)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT coalesce(sum(input_tokens), 0)::bigint, coalesce(sum(output_tokens), 0)::bigint, coalesce(sum(reasoning_tokens), 0)::bigint " +
            "FROM probe_samples WHERE target_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = target });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return new TokenTotals(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
