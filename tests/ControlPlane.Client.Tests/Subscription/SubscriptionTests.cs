using ControlPlane.Client.Tests.Support;
using ControlPlane.Contracts;
using ControlPlane.Testing;

namespace ControlPlane.Client.Tests.Subscription;

/// <summary>The SDK against the real RabbitMQ broker, with a stand-in snapshot endpoint on Kestrel.</summary>
[Collection(BrokerCollection.Name)]
public sealed class SubscriptionTests : IAsyncLifetime
{
    private readonly TestTables _tables = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cp-client-tests", Guid.NewGuid().ToString("N"));
    private Broker _broker = null!;
    private SnapshotServer _snapshot = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _broker = await Broker.ConnectAsync();
        _snapshot = await SnapshotServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _snapshot.DisposeAsync();
        await _broker.DisposeAsync();
        _tables.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string CacheFile(string name) => Path.Combine(_directory, name, "routing-table.json");

    private static Uri ClosedPort(string scheme) => new($"{scheme}://guest:guest@127.0.0.1:{ServiceProcess.FreePort()}/");

    [Fact]
    public async Task Clients_ConvergeOnEveryVersionPublishedToTheFanoutExchange()
    {
        var v = Broker.NextVersions(3);
        _snapshot.Current = _tables.Json(v);
        var clients = new List<ClientHost>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients.Add(await ClientHost.StartAsync(_snapshot.BaseUrl, _broker.Uri, _tables, CacheFile($"c{i}")));
            }

            // Bootstrapped from the snapshot before the host even finished starting.
            Assert.All(clients, c => Assert.Equal(v, c.Source.CurrentVersion));
            foreach (var client in clients)
            {
                await client.WaitUntilAsync(s => s.IsConnected, "subscribed");
            }

            await _broker.PublishAsync(_tables.Signed(v + 1));
            await _broker.PublishAsync(_tables.Signed(v + 2));

            foreach (var client in clients)
            {
                var applied = await client.Source.WaitForVersionAsync(v + 2).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(v + 2, applied.Version);
                Assert.Equal(TimeSpan.Zero, client.Source.Staleness);
                Assert.Equal(v + 2, client.Selector.Select("chat-default").Version);

                // Every instance reports what it applied; the cache holds the last good table, verbatim and signed.
                await _broker.WaitForStatusAsync(s => s.SubscriberId == client.Options.SubscriberId && s.AppliedVersion == v + 2);
                var cached = await File.ReadAllBytesAsync(client.Options.CacheFile!);
                Assert.Equal(VerificationResult.Valid, _tables.Verifier().Verify(cached).Result);
                Assert.Equal(v + 2, ContractsJson.DeserializeRoutingTableChanged(cached).Version);
            }

            Assert.All(clients, c => Assert.Equal(0, c.Source.Counters.Rejected));
            Assert.Equal(3, clients.Select(c => c.Options.SubscriberId).Distinct().Count());
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task BadMessages_AreRejectedAndReported_AndTheLastGoodTableStays()
    {
        var v = Broker.NextVersions(10);
        _snapshot.Current = _tables.Json(v + 5);
        await using var client = await ClientHost.StartAsync(_snapshot.BaseUrl, _broker.Uri, _tables);
        await client.WaitUntilAsync(s => s.IsConnected, "subscribed");
        var id = client.Options.SubscriberId;
        var good = client.Source.Current;

        await _broker.PublishAsync(_tables.Tampered(v + 6), "tampered");
        var badSignature = await _broker.WaitForStatusAsync(s => s.SubscriberId == id && s.LastRejection?.Version == v + 6);

        await _broker.PublishAsync(TestTables.SignedByUnknownKey(v + 7), "rogue");
        var unknownKey = await _broker.WaitForStatusAsync(s => s.SubscriberId == id && s.LastRejection?.Version == v + 7);

        await _broker.PublishAsync("{\"version\": 99999999, oops"u8.ToArray(), "malformed");
        var malformed = await _broker.WaitForStatusAsync(s => s.SubscriberId == id && s.LastRejection is { Version: null });

        var ignoredBefore = client.Source.Counters.Ignored;
        await _broker.PublishAsync(_tables.Signed(v + 1)); // valid but older: ignored, never a regression
        await _broker.PublishAsync(_tables.Signed(v + 8));
        await client.Source.WaitForVersionAsync(v + 8).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.StartsWith(RejectionReasons.BadSignature, badSignature.LastRejection!.Reason, StringComparison.Ordinal);
        Assert.StartsWith(RejectionReasons.UnknownKeyId, unknownKey.LastRejection!.Reason, StringComparison.Ordinal);
        Assert.StartsWith(RejectionReasons.Malformed, malformed.LastRejection!.Reason, StringComparison.Ordinal);
        Assert.All([badSignature, unknownKey, malformed], s => Assert.Equal(v + 5, s.AppliedVersion));
        Assert.Equal(v + 5, good!.Version);
        Assert.Equal(ignoredBefore + 1, client.Source.Counters.Ignored);
        Assert.Equal(
            (1L, 1L, 1L),
            (client.Source.Counters.RejectedBadSignature, client.Source.Counters.RejectedUnknownKeyId, client.Source.Counters.RejectedMalformed));
        Assert.Equal("anthropic", client.Selector.SelectOrder("chat-default").Single(s => s.Weight == 300).Provider);
    }

    [Fact]
    public async Task BrokerAndControlPlaneUnreachable_StartsFromTheCacheAndServesIt()
    {
        var v = Broker.NextVersions(1);
        var cacheFile = CacheFile("offline");
        Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
        var issuedAt = TimeProvider.System.GetUtcNow().AddMinutes(-5);
        await File.WriteAllBytesAsync(cacheFile, _tables.Json(v, issuedAt: issuedAt));

        await using var client = await ClientHost.StartAsync(ClosedPort("http"), ClosedPort("amqp"), _tables, cacheFile);

        Assert.Equal(v, client.Source.CurrentVersion);
        Assert.False(client.Source.IsConnected);
        Assert.True(client.Source.Staleness >= TimeSpan.FromMinutes(5));
        Assert.Equal(issuedAt, client.Source.LastContactAt);
        Assert.Equal(v, client.Selector.Select("chat-default").Version);
        Assert.Equal(3, client.Selector.SelectOrder("chat-default").Count);
    }

    [Fact]
    public async Task TamperedCacheFile_IsRejected_SoNoTableIsServed()
    {
        var v = Broker.NextVersions(1);
        var cacheFile = CacheFile("tampered");
        Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
        var json = System.Text.Encoding.UTF8.GetString(_tables.Json(v)).Replace("\"weight\":300", "\"weight\":301", StringComparison.Ordinal);
        await File.WriteAllTextAsync(cacheFile, json);

        await using var client = await ClientHost.StartAsync(ClosedPort("http"), ClosedPort("amqp"), _tables, cacheFile);

        Assert.Null(client.Source.Current);
        Assert.StartsWith(RejectionReasons.BadSignature, client.Source.LastRejection!.Reason, StringComparison.Ordinal);
        Assert.Throws<NoRoutingTableException>(() => client.Selector.Select("chat-default"));
    }

    [Fact]
    public async Task BrokerComesBack_ClientResubscribes_AndCatchesUpOnWhatItMissed()
    {
        var v = Broker.NextVersions(3);
        _snapshot.Current = _tables.Json(v);
        await using var proxy = new TcpProxy(_broker.Uri, ServiceProcess.FreePort());
        var viaProxy = new Uri($"amqp://guest:guest@127.0.0.1:{proxy.Port}/");
        var sources = new List<(long Version, TableSource Source)>();

        // Broker away at start: the snapshot still bootstraps the table.
        await using var client = await ClientHost.StartAsync(_snapshot.BaseUrl, viaProxy, _tables);
        client.Source.TableChanged += (_, e) =>
        {
            lock (sources)
            {
                sources.Add((e.Current.Version, e.Source));
            }
        };
        Assert.Equal(v, client.Source.CurrentVersion);
        Assert.False(client.Source.IsConnected);

        proxy.Start();
        await client.WaitUntilAsync(s => s.IsConnected, "connected once the broker is reachable");
        await _broker.PublishAsync(_tables.Signed(v + 1));
        await client.Source.WaitForVersionAsync(v + 1).WaitAsync(TimeSpan.FromSeconds(30));

        // The broker goes away again; a version is published meanwhile, which this client's queue never sees.
        await proxy.StopAsync();
        await client.WaitUntilAsync(s => !s.IsConnected, "disconnected");
        await _broker.PublishAsync(_tables.Signed(v + 2));
        _snapshot.Current = _tables.Json(v + 2);
        Assert.Equal(v + 1, client.Source.CurrentVersion);

        proxy.Start();
        await client.Source.WaitForVersionAsync(v + 2).WaitAsync(TimeSpan.FromSeconds(30));
        await client.WaitUntilAsync(s => s.IsConnected, "reconnected");
        await _broker.PublishAsync(_tables.Signed(v + 3));
        await client.Source.WaitForVersionAsync(v + 3).WaitAsync(TimeSpan.FromSeconds(30));

        lock (sources)
        {
            Assert.Equal(
                [(v + 1, TableSource.Broker), (v + 2, TableSource.Snapshot), (v + 3, TableSource.Broker)],
                sources);
        }

        await _broker.WaitForStatusAsync(s => s.SubscriberId == client.Options.SubscriberId && s.AppliedVersion == v + 3);
        Assert.Equal(0, client.Source.Counters.Rejected);
    }
}
