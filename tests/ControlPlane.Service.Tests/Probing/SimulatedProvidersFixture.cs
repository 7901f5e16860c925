using System.Collections.Concurrent;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Service.Probing;
using ControlPlane.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Service.Tests.Probing;

/// <summary>
/// One simulator with a provider of each kind, and a real ServiceProvider built with AddProbeClients over a catalog
/// pointing at it. Keys come through uniquely named environment variables (and a temp file for one provider), so
/// nothing in the test depends on the machine's environment.
/// </summary>
public sealed class SimulatedProvidersFixture : IAsyncLifetime
{
    public const string Model = "sim-model-1";

    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"controlplane-probe-key-{Guid.NewGuid():N}");
    private readonly List<string> _variables = [];

    public static IReadOnlyList<ProviderKind> Kinds { get; } =
        [ProviderKind.Anthropic, ProviderKind.OpenAI, ProviderKind.Gemini, ProviderKind.OpenAICompatible];

    public SimulatorHost Simulator { get; private set; } = null!;

    public ServiceProvider Services { get; private set; } = null!;

    public IProbeExecutor Executor => Services.GetRequiredService<IProbeExecutor>();

    public ProviderCatalog Catalog { get; private set; } = null!;

    /// <summary>Every key the simulator accepts or we send, to prove none of them leaks.</summary>
    public IReadOnlyList<string> Keys { get; private set; } = [];

    public CapturingLoggerProvider Logs { get; } = new();

    public static string ProviderId(ProviderKind kind) => kind.ToName();

    public static string WrongKeyProviderId(ProviderKind kind) => kind.ToName() + "-wrong-key";

    public async Task InitializeAsync()
    {
        var keys = Kinds.ToDictionary(k => k, k => k == ProviderKind.OpenAICompatible ? null : $"sk-sim-{k.ToName()}-{Guid.NewGuid():N}");
        Simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Providers = Kinds.Select(k => new SimulatedProviderOptions
            {
                Id = ProviderId(k),
                Kind = k.ToName(),
                ApiKey = keys[k],
                Models = [Model],
            }).ToList(),
        });

        var providers = new List<ProviderDefinition>();
        var wrongKeys = new List<string>();
        foreach (var kind in Kinds)
        {
            var baseUrl = Simulator.BaseUrlOf(ProviderId(kind));
            ApiKeySource? source = null;
            if (keys[kind] is { } key)
            {
                // Gemini's key comes from a file, the others from environment variables: both paths run.
                if (kind == ProviderKind.Gemini)
                {
                    await File.WriteAllTextAsync(_keyFile, key + "\n");
                    source = new ApiKeySource(null, _keyFile);
                }
                else
                {
                    source = new ApiKeySource(SetVariable(key), null);
                }

                var wrong = $"sk-wrong-{Guid.NewGuid():N}";
                wrongKeys.Add(wrong);
                providers.Add(new ProviderDefinition(WrongKeyProviderId(kind), kind, baseUrl, new ApiKeySource(SetVariable(wrong), null), new Dictionary<string, string>(), null));
            }

            providers.Add(new ProviderDefinition(ProviderId(kind), kind, baseUrl, source, new Dictionary<string, string>(), null));
        }

        Keys = keys.Values.OfType<string>().Concat(wrongKeys).ToList();
        Catalog = new ProviderCatalog(providers, [], []);

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton(Catalog);
        services.AddProbeClients();
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public static TargetDefinition Target(
        string providerId,
        string model = Model,
        ProbeMode mode = ProbeMode.Inference,
        bool stream = true,
        TimeSpan? timeout = null,
        TimeSpan? latencyObjective = null) =>
        new(
            TargetId.For(providerId, model),
            providerId,
            model,
            new ProbeSettings(
                mode,
                Interval: TimeSpan.FromMinutes(1),
                Timeout: timeout ?? TimeSpan.FromSeconds(30),
                LatencyObjective: latencyObjective ?? TimeSpan.FromSeconds(30),
                MaxTokens: 1,
                Prompt: "ping",
                Stream: stream,
                Headers: new Dictionary<string, string>()));

    public async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        await Simulator.DisposeAsync();
        foreach (var variable in _variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        File.Delete(_keyFile);
    }

    private string SetVariable(string value)
    {
        var name = $"CONTROLPLANE_TEST_KEY_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, value);
        _variables.Add(name);
        return name;
    }
}

/// <summary>Keeps every formatted log line (and exception text) so tests can assert what never gets logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(_lines);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {eventId} {formatter(state, exception)} {exception}");
    }
}
