using ControlPlane.Core.Probing;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Npgsql;

namespace ControlPlane.Service.Tests.Integration;

/// <summary>
/// Probe profiles end to end: a control plane process probing reasoning models on a simulator as strict as the real
/// APIs. With the auto profile every reasoning target's probe is accepted and answers; the standard profile's shape
/// (max_tokens 1) is refused by an o-series model behind a proxy, stored as bad_request with the provider's words, and
/// on OpenAI itself the one-token limit is spent reasoning, leaving the empty answer of LiteLLM #26987 — which a probe
/// counts as the model working, because it was cut short at the probe's own limit with the token spent.
/// </summary>
public sealed class ReasoningProbeProfileTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private const string OpenAIKey = "sk-it-reasoning-openai";
    private const string GeminiKey = "it-reasoning-gemini";

    [Fact]
    public async Task AutoProfile_ReasoningTargetsAnswer_StandardProfileIsRefusedAsBadRequestWithTheProvidersMessage()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Providers =
            [
                new SimulatedProviderOptions { Id = "openai", Kind = "openai", ApiKey = OpenAIKey, Models = ["o4-mini", "gpt-5-mini"] },
                // A router in front of OpenAI, spoken to as an openai-compatible server: standard sends max_tokens there.
                new SimulatedProviderOptions { Id = "proxy", Kind = "openai-compatible", Models = ["o4-mini"] },
                new SimulatedProviderOptions { Id = "gemini", Kind = "gemini", ApiKey = GeminiKey, Models = ["gemini-2.5-pro", "gemini-2.5-flash"] },
            ],
        });
        using var config = ConfigFile.Write(new
        {
            Catalog = new
            {
                Probe = new { Interval = "00:00:02", Timeout = "00:00:01.500" },
                Providers = new object[]
                {
                    new { Id = "openai", Kind = "openai", BaseUrl = simulator.BaseUrlOf("openai").ToString(), ApiKeyEnv = "CP_IT_REASONING_OPENAI" },
                    new { Id = "proxy", Kind = "openai-compatible", BaseUrl = simulator.BaseUrlOf("proxy").ToString() },
                    new { Id = "gemini", Kind = "gemini", BaseUrl = simulator.BaseUrlOf("gemini").ToString(), ApiKeyEnv = "CP_IT_REASONING_GEMINI" },
                },
                Targets = new object[]
                {
                    new { Provider = "openai", Model = "o4-mini" },
                    new { Provider = "openai", Model = "gpt-5-mini" },
                    new { Provider = "proxy", Model = "o4-mini" },
                    new { Provider = "gemini", Model = "gemini-2.5-pro" },
                    new { Provider = "gemini", Model = "gemini-2.5-flash" },
                    new { Id = "proxy-o4-mini-standard", Provider = "proxy", Model = "o4-mini", Probe = new { Profile = "standard" } },
                    new { Id = "openai-o4-mini-standard", Provider = "openai", Model = "o4-mini", Probe = new { Profile = "standard" } },
                },
            },
        });
        var environment = (await ServiceEnvironment.CreateAsync(database.ConnectionString)).With(new Dictionary<string, string?>
        {
            [ConfigFile.Variable] = config.Path,
            ["CP_IT_REASONING_OPENAI"] = OpenAIKey,
            ["CP_IT_REASONING_GEMINI"] = GeminiKey,
        });
        await using var service = await ServiceProcess.StartAsync("ControlPlane.Service", environment);
        await using var dataSource = database.CreateDataSource();

        foreach (var target in new[] { "openai/o4-mini", "openai/gpt-5-mini", "proxy/o4-mini", "gemini/gemini-2.5-pro", "gemini/gemini-2.5-flash" })
        {
            var samples = await Eventually.UntilAsync(
                () => OutcomesAsync(dataSource, target),
                rows => rows.Any(r => r.Outcome == ProbeOutcome.Success),
                Deadline,
                $"{target} (auto profile) has a successful probe");

            // A timeout is tolerated on a loaded machine; a rejected or empty answer means the profile is wrong.
            var wrong = samples.Where(s => s.Outcome is not (ProbeOutcome.Success or ProbeOutcome.Slow or ProbeOutcome.Timeout)).ToList();
            Assert.True(wrong.Count == 0, $"{target}: {string.Join("; ", wrong.Select(w => $"{w.Outcome.ToWireName()} {w.Detail}"))}");
        }

        var refused = await Eventually.UntilAsync(
            () => OutcomesAsync(dataSource, "proxy-o4-mini-standard"),
            rows => rows.Any(r => r.Outcome == ProbeOutcome.BadRequest),
            Deadline,
            "the standard-profile probe of o4-mini behind the proxy is stored as bad_request");
        var badRequest = refused.First(r => r.Outcome == ProbeOutcome.BadRequest);
        Assert.Equal((short)400, badRequest.HttpStatus);
        Assert.Equal(
            "http 400: invalid_request_error: Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
            badRequest.Detail);

        // On OpenAI itself the one-token limit is spent reasoning and the answer is empty, cut short at the limit
        // (LiteLLM #26987). That is the model working, not a sick target: a success, with the spent token recorded.
        var cutShort = await Eventually.UntilAsync(
            () => OutcomesAsync(dataSource, "openai-o4-mini-standard"),
            rows => rows.Any(r => r.Outcome == ProbeOutcome.Success),
            Deadline,
            "the standard-profile probe of o4-mini on OpenAI (one token, spent reasoning) is stored as a success");
        Assert.DoesNotContain(cutShort, r => r.Outcome == ProbeOutcome.MalformedResponse);
        Assert.Equal(1, await MaxReasoningTokensAsync(dataSource, "openai-o4-mini-standard"));

        // The auto profile caps the models that cannot switch reasoning off below their reasoning: they cost at most
        // the cap, where their reasoning alone would take 64 (o4-mini, effort low) and 128 (gemini-2.5-pro's floor).
        Assert.InRange(await MaxReasoningTokensAsync(dataSource, "openai/o4-mini") ?? 0, 1, ProbeProfiles.CappedReasoningLimit);
        Assert.InRange(await MaxReasoningTokensAsync(dataSource, "gemini/gemini-2.5-pro") ?? 0, 1, ProbeProfiles.CappedReasoningLimit);

        Assert.False(service.HasExited);
    }

    private static async Task<int?> MaxReasoningTokensAsync(NpgsqlDataSource dataSource, string targetId)
    {
        await using var command = dataSource.CreateCommand("SELECT max(reasoning_tokens) FROM probe_samples WHERE target_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = targetId });
        return await command.ExecuteScalarAsync() is int value ? value : null;
    }

    private static async Task<IReadOnlyList<(ProbeOutcome Outcome, short? HttpStatus, string? Detail)>> OutcomesAsync(NpgsqlDataSource dataSource, string targetId)
    {
        await using var command = dataSource.CreateCommand("SELECT outcome, http_status, detail FROM probe_samples WHERE target_id = $1 ORDER BY observed_at");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = targetId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(ProbeOutcome, short?, string?)>();
        while (await reader.ReadAsync())
        {
            rows.Add(((ProbeOutcome)reader.GetInt16(0), reader.IsDBNull(1) ? null : reader.GetInt16(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return rows;
    }
}
