using System.Net;
using System.Text;
using ControlPlane.Simulator.Chaos;
using ControlPlane.Simulator.Hosting;
using ControlPlane.Simulator.Providers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Simulator;

/// Runs every simulated provider on its own loopback listener plus the chaos API, inside the calling process.
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly Dictionary<string, SimulatedProvider> _providers;
    private WebApplication? _control;
    private bool _disposed;

    private SimulatorHost(Dictionary<string, SimulatedProvider> providers) => _providers = providers;

    public Uri ControlUrl { get; private set; } = new("http://127.0.0.1/");

    /// Provider ids in configuration order.
    public IReadOnlyList<string> ProviderIds { get; private set; } = [];

    public static Task<SimulatorHost> StartAsync(SimulatorOptions options, TimeProvider? time = null, CancellationToken ct = default) =>
        StartAsync(options, time, loggerFactory: null, ct);

    public static async Task<SimulatorHost> StartAsync(SimulatorOptions options, TimeProvider? time, ILoggerFactory? loggerFactory, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = SimulatorOptionsValidator.Collect(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(SimulatorOptions.SectionName, typeof(SimulatorOptions), failures);
        }

        time ??= TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<SimulatorHost>();

        var providers = new Dictionary<string, SimulatedProvider>(StringComparer.Ordinal);
        foreach (var p in options.Providers)
        {
            // Validated above, so the kind always parses.
            _ = ProviderKinds.TryParse(p.Kind, out var kind);
            providers[p.Id] = new SimulatedProvider(p, kind, DeriveSeed(options.Seed, p.Id), time, logger);
        }

        var host = new SimulatorHost(providers) { ProviderIds = options.Providers.Select(p => p.Id).ToList() };
        try
        {
            foreach (var provider in providers.Values)
            {
                await provider.StartAsync(ct);
            }

            await host.StartControlAsync(options.ControlPort, ct);
            Log.ControlListening(logger, host.ControlUrl);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// Root URL of a provider; API paths (/v1/messages, /v1beta/models/...) are appended to it.
    public Uri BaseUrlOf(string providerId) => Get(providerId).BaseUrl;

    public Task SetChaosAsync(string providerId, ChaosSettings settings, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var provider = Get(providerId);
        var errors = ChaosValidator.Validate(settings);
        if (errors.Count > 0)
        {
            throw new ArgumentException(
                "Invalid chaos settings: " + string.Join(" ", errors.SelectMany(e => e.Value)), nameof(settings));
        }

        return provider.SetChaosAsync(settings, ct);
    }

    public ChaosSettings GetChaos(string providerId) => Get(providerId).Chaos.Settings;

    public ProviderStats StatsOf(string providerId) => Get(providerId).Stats.Snapshot();

    public void ResetStats(string providerId) => Get(providerId).Stats.Reset();

    /// Completes once the provider's listener matches its current chaos step. Schedules switch listeners from a
    /// timer on the injected TimeProvider; after FakeTimeProvider.Advance, await this instead of sleeping.
    public Task WhenSettledAsync(string providerId, CancellationToken ct = default) => Get(providerId).ReconcileAsync(ct);

    internal IEnumerable<SimulatedProvider> Providers => ProviderIds.Select(id => _providers[id]);

    internal bool TryGet(string providerId, out SimulatedProvider provider) =>
        _providers.TryGetValue(providerId, out provider!);

    private SimulatedProvider Get(string providerId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _providers.TryGetValue(providerId, out var provider)
            ? provider
            : throw new ArgumentException(
                $"No simulated provider '{providerId}'. Known: {string.Join(", ", ProviderIds)}.", nameof(providerId));
    }

    private async Task StartControlAsync(int port, CancellationToken ct)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(SimulatorHost).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        builder.Services.AddRouting();
        builder.Services.ConfigureHttpJsonOptions(o => ChaosApi.Configure(o.SerializerOptions));

        var app = builder.Build();
        app.MapChaosApi(this);
        _control = app;
        await app.StartAsync(ct);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no listening address for the chaos API.");
        ControlUrl = new Uri($"http://127.0.0.1:{new Uri(address).Port}/");
    }

    // string.GetHashCode is randomised per process; chaos sequences must replay across runs.
    private static int DeriveSeed(int seed, string providerId)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(providerId))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return unchecked(seed ^ (int)hash);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_control is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _control.StopAsync(timeout.Token);
            await _control.DisposeAsync();
        }

        await Task.WhenAll(_providers.Values.Select(p => p.DisposeAsync().AsTask()));
    }
}
