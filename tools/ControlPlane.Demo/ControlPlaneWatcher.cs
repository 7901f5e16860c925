using System.Text.Json;
using ControlPlane.Client;

namespace ControlPlane.Demo;

/// <summary>Watches the control plane and the data plane and marks each step of a failover as it happens.</summary>
internal sealed class ControlPlaneWatcher : IDisposable
{
    private readonly HttpClient _api;
    private readonly IRoutingTableSource _source;
    private readonly Timeline _timeline;
    private readonly string _primary;

    public ControlPlaneWatcher(HttpClient api, IRoutingTableSource source, Timeline timeline, string primary)
    {
        _api = api;
        _source = source;
        _timeline = timeline;
        _primary = primary;
        _source.TableChanged += OnApplied;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string? lastState = null;
        long lastVersion = _source.CurrentVersion ?? 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var breakers = JsonDocument.Parse(await _api.GetStringAsync(new Uri("api/breakers", UriKind.Relative), cancellationToken));
                var primary = breakers.RootElement.EnumerateArray().FirstOrDefault(b => b.GetProperty("target").GetString() == _primary);
                var state = primary.ValueKind == JsonValueKind.Object ? primary.GetProperty("state").GetString() : null;
                if (state is not null && state != lastState)
                {
                    if (lastState is not null)
                    {
                        _timeline.Mark($"control plane: breaker {_primary} {lastState} → {state}");
                    }

                    lastState = state;
                }

                using var latest = JsonDocument.Parse(await _api.GetStringAsync(new Uri("api/routing-tables/latest", UriKind.Relative), cancellationToken));
                var version = latest.RootElement.GetProperty("version").GetInt64();
                if (version > lastVersion)
                {
                    var reasons = latest.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("reason").GetString());
                    _timeline.Mark($"control plane: routing table v{version} committed and published ({string.Join("; ", reasons)})");
                    lastVersion = version;
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The next poll will tell.
            }

            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void OnApplied(object? sender, RoutingTableAppliedEventArgs e) =>
        _timeline.Mark($"data plane: applied v{e.Current.Version} ({e.Source})");

    public void Dispose() => _source.TableChanged -= OnApplied;
}
