using System.Globalization;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Npgsql;

namespace ControlPlane.Service.Tests.Integration;

/// <summary>
/// The whole probing pipeline, for real: one simulator hosting a provider for every (kind, chaos mode) pair, and one
/// control plane process probing all of them every <see cref="Interval"/> against its own fresh database. Chaos is
/// set before the service starts, so every sample of a target should carry that target's outcome.
/// Keys are random per run and reach the service only through its environment (and one key file per Gemini provider).
/// </summary>
public sealed class ProbingServiceFixture : IAsyncLifetime
{
    public const string Model = "sim-model";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1.5);

    /// <summary>The latency objective of the slow targets, well under what the simulator's slow mode takes.</summary>
    public static readonly TimeSpan SlowObjective = TimeSpan.FromMilliseconds(250);
    public const int SlowLatencyMs = 700;
    public const int RetryAfterSeconds = 7;

    public static IReadOnlyList<string> Kinds { get; } = ["anthropic", "openai", "gemini", "openai-compatible"];

    public static IReadOnlyList<ChaosMode> Modes { get; } =
    [
        ChaosMode.Healthy, ChaosMode.Slow, ChaosMode.Overloaded, ChaosMode.RateLimited, ChaosMode.SpendCap, ChaosMode.ServerError,
        ChaosMode.Hang, ChaosMode.Refuse, ChaosMode.AuthFailure, ChaosMode.BadRequest, ChaosMode.StreamError, ChaosMode.Malformed,
    ];

    private readonly PostgresDatabase _database = new();
    private readonly List<string> _keyFiles = [];
    private ConfigFile? _config;

    public SimulatorHost Simulator { get; private set; } = null!;

    public ServiceProcess Service { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public NpgsqlDataSource Database { get; private set; } = null!;

    public string ConnectionString => _database.ConnectionString;

    /// <summary>Every provider key of this run; none may ever show up anywhere but on the wire to its provider.</summary>
    public IReadOnlyList<string> Keys { get; private set; } = [];

    public static string ProviderId(string kind, ChaosMode mode) => $"{kind}-{mode.ToWireName()}";

    public static string TargetId(string kind, ChaosMode mode) => $"{ProviderId(kind, mode)}/{Model}";

    public static IEnumerable<string> TargetIds => Kinds.SelectMany(k => Modes.Select(m => TargetId(k, m)));

    public Uri Url(string relative) => new(Service.BaseUrl, relative);

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Database = _database.CreateDataSource();

        var keys = new Dictionary<string, string?>();
        foreach (var kind in Kinds)
        {
            foreach (var mode in Modes)
            {
                keys[ProviderId(kind, mode)] = kind == "openai-compatible" ? null : $"sk-it-{Guid.NewGuid():N}";
            }
        }

        Keys = keys.Values.OfType<string>().ToList();
        Simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Providers = keys.Select(k => new SimulatedProviderOptions
            {
                Id = k.Key,
                Kind = Kinds.Single(kind => Modes.Any(m => ProviderId(kind, m) == k.Key)),
                ApiKey = k.Value,
                Models = [Model],
            }).ToList(),
        });

        foreach (var kind in Kinds)
        {
            foreach (var mode in Modes)
            {
                await Simulator.SetChaosAsync(ProviderId(kind, mode), new ChaosSettings
                {
                    Mode = mode,
                    LatencyMs = mode == ChaosMode.Slow ? SlowLatencyMs : null,
                    RetryAfterSeconds = RetryAfterSeconds,
                });
            }
        }

        var environment = (await ServiceEnvironment.CreateAsync(_database.ConnectionString)).Variables;
        // Small enough that the rollups endpoint has something to show within a test.
        environment["Storage__RollupInterval"] = "00:00:02";
        var providers = new List<object>();
        var targets = new List<object>();
        var index = 0;
        foreach (var kind in Kinds)
        {
            foreach (var mode in Modes)
            {
                var id = ProviderId(kind, mode);
                string? keyEnv = null;
                string? keyFile = null;
                if (keys[id] is { } key)
                {
                    if (kind == "gemini")
                    {
                        // Both key sources run: Gemini's keys come from (secret) files, the others from variables.
                        keyFile = Path.Combine(Path.GetTempPath(), $"controlplane-it-key-{Guid.NewGuid():N}");
                        await File.WriteAllTextAsync(keyFile, key + "\n");
                        _keyFiles.Add(keyFile);
                    }
                    else
                    {
                        keyEnv = $"CP_IT_KEY_{index++}";
                        environment[keyEnv] = key;
                    }
                }

                providers.Add(new { Id = id, Kind = kind, BaseUrl = Simulator.BaseUrlOf(id).ToString(), ApiKeyEnv = keyEnv, ApiKeyFile = keyFile });
                targets.Add(new
                {
                    Provider = id,
                    Model,
                    Probe = mode == ChaosMode.Slow ? new { LatencyObjective = Format(SlowObjective) } : null,
                });
            }
        }

        _config = ConfigFile.Write(new
        {
            Catalog = new
            {
                Probe = new { Interval = Format(Interval), Timeout = Format(ProbeTimeout) },
                Providers = providers,
                Targets = targets,
                Routes = new[]
                {
                    new { Id = "chat-default", Tiers = new[] { new { Targets = Kinds.Select(k => new { Target = TargetId(k, ChaosMode.Healthy), Weight = 1 }).ToArray() } } },
                },
            },
        });
        environment[ConfigFile.Variable] = _config.Path;

        Service = await ServiceProcess.StartAsync("ControlPlane.Service", environment);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }

        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        await _database.DisposeAsync();
        _config?.Dispose();
        foreach (var file in _keyFiles)
        {
            File.Delete(file);
        }
    }

    /// <summary>Outcome codes (ProbeOutcome values) of every stored sample of a target, oldest first.</summary>
    public async Task<IReadOnlyList<StoredSample>> SamplesOfAsync(string targetId)
    {
        await using var command = Database.CreateCommand(
            "SELECT outcome, http_status, retry_after_ms, ttft_ms, latency_ms, detail FROM probe_samples WHERE target_id = $1 ORDER BY observed_at");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = targetId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<StoredSample>();
        while (await reader.ReadAsync())
        {
            rows.Add(new StoredSample(
                reader.GetInt16(0),
                reader.IsDBNull(1) ? null : reader.GetInt16(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3),
                reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return rows;
    }

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}

public sealed record StoredSample(short Outcome, short? HttpStatus, int? RetryAfterMs, double? TtftMs, double LatencyMs, string? Detail);

[CollectionDefinition(Name)]
public sealed class ProbingServiceCollection : ICollectionFixture<ProbingServiceFixture>
{
    public const string Name = "Probing service";
}
