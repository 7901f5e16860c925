using Microsoft.Extensions.Options;

namespace ControlPlane.Simulator.Hosting;

/// Runs the simulator for the lifetime of a generic host (the executable).
internal sealed class SimulatorHostedService(IOptions<SimulatorOptions> options, TimeProvider time, ILoggerFactory loggerFactory) : IHostedService
{
    private SimulatorHost? _host;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _host = await SimulatorHost.StartAsync(options.Value, time, loggerFactory, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
