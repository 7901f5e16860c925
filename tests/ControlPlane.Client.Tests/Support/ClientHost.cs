using ControlPlane.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Client.Tests.Support;

/// <summary>An in-process host running the client SDK the way an application does.</summary>
internal sealed class ClientHost : IAsyncDisposable
{
    private readonly IHost _host;

    private ClientHost(IHost host, ControlPlaneClientOptions options)
    {
        _host = host;
        Options = options;
    }

    public ControlPlaneClientOptions Options { get; }

    public IRoutingTableSource Source => _host.Services.GetRequiredService<IRoutingTableSource>();

    public IRouteSelector Selector => _host.Services.GetRequiredService<IRouteSelector>();

    public static async Task<ClientHost> StartAsync(Uri controlPlane, Uri rabbitMq, TestTables keys, string? cacheFile = null, Action<ControlPlaneClientOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        var captured = new ControlPlaneClientOptions();
        builder.AddControlPlaneClient(o =>
        {
            o.ControlPlaneUrl = controlPlane.ToString();
            o.RabbitMqUri = rabbitMq.ToString();
            o.TrustedKeys[TestTables.KeyId] = keys.PublicKeyPem;
            o.CacheFile = cacheFile;
            o.ReconnectDelay = TimeSpan.FromMilliseconds(200);
            o.MaxReconnectDelay = TimeSpan.FromSeconds(1);
            o.SnapshotTimeout = TimeSpan.FromSeconds(2);
            configure?.Invoke(o);
            captured = o;
        });
        var host = builder.Build();
        await host.StartAsync();
        return new ClientHost(host, captured);
    }

    public async Task WaitUntilAsync(Func<IRoutingTableSource, bool> condition, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition(Source))
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(25, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
