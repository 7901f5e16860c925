using System.Collections.Concurrent;
using ControlPlane.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ControlPlane.Benchmarks.Propagation;

/// <summary>
/// Subscribers built with the real .NET SDK: one host per subscriber with <c>AddControlPlaneClient</c> (its own
/// connection, queue, verifier, snapshot bootstrap and status reports), the apply time taken from
/// <see cref="IRoutingTableSource.TableChanged"/>. The cross-check for the lightweight subscribers.
/// </summary>
internal sealed class SdkSubscriberFleet : ISubscriberFleet
{
    private readonly List<IHost> _hosts = [];
    private readonly List<IRoutingTableSource> _sources = [];
    private readonly List<ConcurrentDictionary<long, DateTimeOffset>> _applied = [];

    public int Count => _sources.Count;

    public long LowestVersion => _sources.Min(s => s.CurrentVersion ?? 0);

    public long Rejected => _sources.Sum(s => s.Counters.Rejected);

    public DateTimeOffset? AppliedAt(int index, long version) => _applied[index].TryGetValue(version, out var at) ? at : null;

    public DateTimeOffset? ReceivedAt(int index, long version) => null;

    public static async Task<SdkSubscriberFleet> StartAsync(int count, string rabbitMqUri, Uri controlPlane, string keyId, string publicKeyPem, CancellationToken cancellationToken)
    {
        var fleet = new SdkSubscriberFleet();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
                var id = $"bench-sdk-{i}-{Guid.NewGuid():N}"[..24];
                builder.Services.AddControlPlaneClient(o =>
                {
                    o.ControlPlaneUrl = controlPlane.ToString();
                    o.RabbitMqUri = rabbitMqUri;
                    o.TrustedKeys[keyId] = publicKeyPem;
                    o.SubscriberId = id;
                });
                var host = builder.Build();
                var source = host.Services.GetRequiredService<IRoutingTableSource>();
                var applied = new ConcurrentDictionary<long, DateTimeOffset>();
                source.TableChanged += (_, e) => applied.TryAdd(e.Current.Version, DateTimeOffset.UtcNow);
                fleet._hosts.Add(host);
                fleet._sources.Add(source);
                fleet._applied.Add(applied);
                await host.StartAsync(cancellationToken);
            }

            // The subscription starts in the background after the host: wait until every queue is bound.
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
            while (fleet._sources.Any(s => !s.IsConnected))
            {
                if (DateTimeOffset.UtcNow > deadline)
                {
                    throw new TimeoutException("The SDK subscribers did not all connect to the broker within 60 s.");
                }

                await Task.Delay(50, cancellationToken);
            }
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }

        return fleet;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            try
            {
                await host.StopAsync(TimeSpan.FromSeconds(5));
            }
            finally
            {
                host.Dispose();
            }
        }
    }
}
