using System.Net;
using ControlPlane.Simulator.Chaos;
using ControlPlane.Simulator.Providers;
using ControlPlane.Simulator.Stats;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ControlPlane.Simulator.Hosting;

/// One simulated provider: its own Kestrel listener (a small WebApplication), chaos state and counters.
/// The listener is torn down for "refuse" so clients get a real ECONNREFUSED, and rebuilt on the same port after.
internal sealed class SimulatedProvider : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _timerLock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<string> _models;
    private WebApplication? _app;
    private CancellationTokenSource? _appStopping;
    private ITimer? _stepTimer;
    private int _port;
    private long _sequence;
    private bool _disposed;

    public SimulatedProvider(SimulatedProviderOptions options, SimulatedProviderKind kind, int seed, TimeProvider time, ILogger logger)
    {
        Options = options;
        Kind = kind;
        _time = time;
        _logger = logger;
        _port = options.Port;
        _models = new HashSet<string>(options.Models, StringComparer.Ordinal);
        Chaos = new ChaosController(seed, time);
    }

    public string Id => Options.Id;

    public SimulatedProviderOptions Options { get; }

    public SimulatedProviderKind Kind { get; }

    public ChaosController Chaos { get; }

    public StatsRecorder Stats { get; } = new();

    public int Port => _port;

    public Uri BaseUrl => new($"http://127.0.0.1:{_port}/");

    public bool IsListening => Volatile.Read(ref _app) is not null;

    public bool HasModel(string model) => _models.Contains(model);

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public async Task StartAsync(CancellationToken ct)
    {
        await ReconcileAsync(ct);
        var kind = Kind.Name();
        Log.ProviderListening(_logger, Id, kind, BaseUrl);
    }

    public async Task SetChaosAsync(ChaosSettings settings, CancellationToken ct)
    {
        Chaos.Apply(settings);
        var mode = settings.Mode.ToWireName();
        var steps = settings.Schedule?.Count ?? 0;
        Log.ChaosApplied(_logger, Id, mode, settings.FailureRate, steps);
        ArmStepTimer();
        await ReconcileAsync(ct);
    }

    /// Brings the listener in line with the chaos step active now; schedules do this from a timer,
    /// tests call it after advancing a fake clock to wait for that transition deterministically.
    public Task ReconcileAsync(CancellationToken ct) => ReconcileCoreAsync(ct);

    private async Task ReconcileCoreAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_disposed)
            {
                return;
            }

            var shouldRun = Chaos.ListenerShouldRun();
            if (shouldRun && _app is null)
            {
                await StartListenerAsync(ct);
            }
            else if (!shouldRun && _app is not null)
            {
                await StopListenerAsync();
                Log.ListenerStopped(_logger, Id, _port);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void ArmStepTimer()
    {
        lock (_timerLock)
        {
            _stepTimer?.Dispose();
            _stepTimer = null;
            if (!_disposed && Chaos.UntilNextStep() is { } due)
            {
                _stepTimer = _time.CreateTimer(_ => OnStepBoundary(), null, due, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnStepBoundary()
    {
        // A FakeTimeProvider fires timers inline inside Advance; hop off that thread before touching Kestrel.
        _ = Task.Run(async () =>
        {
            try
            {
                ArmStepTimer();
                await ReconcileAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                Log.ScheduleStepFailed(_logger, ex, Id);
            }
        });
    }

    private async Task StartListenerAsync(CancellationToken ct)
    {
        var stopping = new CancellationTokenSource();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(SimulatedProvider).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, _port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));

        var app = builder.Build();
        app.MapProviderEndpoints(Kind, new ProviderRequestHandler(this, _time, stopping.Token));
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            stopping.Dispose();
            throw;
        }

        if (_port == 0)
        {
            _port = ListeningPort(app);
        }

        _appStopping = stopping;
        Volatile.Write(ref _app, app);
        Log.ListenerStarted(_logger, Id, _port);
    }

    private async Task StopListenerAsync()
    {
        var app = _app!;
        var stopping = _appStopping!;
        Volatile.Write(ref _app, null);
        _appStopping = null;

        // Release hung and delayed requests first so Kestrel's graceful stop is not held up by them.
        await stopping.CancelAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
        stopping.Dispose();
    }

    private static int ListeningPort(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no listening address.");
        return new Uri(address).Port;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_timerLock)
        {
            _disposed = true;
            _stepTimer?.Dispose();
            _stepTimer = null;
        }

        await _gate.WaitAsync();
        try
        {
            if (_app is not null)
            {
                await StopListenerAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
