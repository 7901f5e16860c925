using System.Text.RegularExpressions;
using ControlPlane.Service.Tests.Integration.Breakers;
using ControlPlane.Testing;

namespace ControlPlane.Service.Tests.Integration.Hosting;

/// <summary>
/// The control plane makes no outbound call its operator did not configure. The replica runs under strace, which sees
/// every connect() of every thread — TCP, and the UDP connect a DNS lookup starts with — so a library phoning home
/// during start-up and the first rounds of work is caught even where DNS fails. MassTransit's usage telemetry waits five minutes
/// by default, so its switch has its own test (UsageTelemetryTests).
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed partial class OutboundConnectionTests : IAsyncLifetime
{
    private static readonly TestRoute Route = new("egress-route", "anthropic-egress", "openai-egress", "m1");
    private readonly PostgresDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Replica_ConnectsOnlyToLoopback_ThroughStartAndItsFirstRounds()
    {
        Assert.True(File.Exists("/usr/bin/strace"), "this test needs strace (apt-get install strace)");
        var trace = Path.Combine(Path.GetTempPath(), $"cp-connect-{Guid.NewGuid():N}.txt");
        try
        {
            await using var stack = await ControlPlaneStack.CreateAsync(_database.ConnectionString, [Route], TimeSpan.FromSeconds(5));
            var replica = await stack.StartReplicaAsync(launcher: ["/usr/bin/strace", "-f", "-qq", "-e", "trace=connect", "-o", trace]);
            using var http = ControlPlaneStack.Client(replica);
            (await http.GetAsync(new Uri("api/routing-table", UriKind.Relative))).Dispose();

            // Past start-up: a table published (leader elected, first evaluation, outbox relayed) and every target
            // probed three times (three probe rounds, the HTTP clients' connection pools in use).
            await stack.UntilAsync(async () =>
            {
                using var table = await http.GetAsync(new Uri("api/routing-table", UriKind.Relative));
                var metrics = await PrometheusText.ScrapeAsync(http, replica.BaseUrl);
                return table.IsSuccessStatusCode && metrics.Sum("controlplane_probes_total") >= 3 * Route.Tiers.Count;
            }, "the replica published a table and probed every target three times", TimeSpan.FromSeconds(90));
            Assert.False(replica.HasExited, stack.Output());
        }
        finally
        {
            var lines = File.Exists(trace) ? await File.ReadAllLinesAsync(trace) : [];
            File.Delete(trace);
            var connects = lines.Where(l => l.Contains("connect(", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(connects); // The trace works: Postgres and RabbitMQ are connected to.
            var outside = connects.Where(l => l.Contains("AF_INET", StringComparison.Ordinal) && !Loopback().IsMatch(l)).ToList();
            Assert.True(outside.Count == 0, "connections beyond loopback:\n" + string.Join("\n", outside.Take(20)));
        }
    }

    [GeneratedRegex(@"inet_addr\(""127\.|inet_pton\(AF_INET6, ""(::1|::ffff:127\.)")]
    private static partial Regex Loopback();
}
