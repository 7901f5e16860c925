using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Benchmarks.Shared;
using ControlPlane.Testing;
using Npgsql;

namespace ControlPlane.Benchmarks.Propagation;

/// <summary>
/// <c>propagation</c>: from the commit of a new routing table version to its application by every subscriber.
/// One control-plane process (Release) on a fresh database with the real broker; version changes are made
/// deterministically by draining and undraining one target through the admin API (an <c>operate</c> key), one change
/// at a time, each waited out before the next. For every version: the commit time (<c>routing_tables.created_at</c>,
/// stamped inside the committing transaction, so slightly before the commit itself — the figures err long), when the
/// relay had it confirmed by the broker (<c>routing_outbox.published_at</c>), when each subscriber received it and
/// when it applied it. DESIGN.md: p99 ≤ 250 ms at 100 subscribers, ≤ 1 s at 1,000.
/// </summary>
internal sealed class PropagationBenchmark : IBenchmark
{
    private const int Routes = 10;
    private static readonly TestApiKey Operator = TestApiKey.Create("bench-propagation", "read", "operate");
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(15);

    public string Name => "propagation";

    public string Description => "commit of a routing table version → applied by all of N subscribers (protocol subscribers, and the .NET SDK)";

    public string Usage => "[--subscribers 10,100,1000] [--changes 20] [--per-connection 50] [--sdk 10]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        BenchmarkArguments.RequirePostgres();
        var sizes = arguments.Ints("subscribers", [10, 100, 1000]);
        var changes = arguments.Int("changes", 20);
        var perConnection = arguments.Int("per-connection", 50);
        var sdkText = arguments.String("sdk", "10");
        var sdk = int.TryParse(sdkText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new BenchmarkSetupException($"--sdk must be a number of SDK subscribers (0 for none), got '{sdkText}'.");

        var database = new PostgresDatabase();
        await database.InitializeAsync();
        try
        {
            var routes = Enumerable.Range(0, Routes)
                .Select(r => new TestRoute($"chat-{r}", $"anthropic-{r % 2}", $"openai-{r % 2}", $"model-{r}"))
                .ToList();
            await using var stack = await ControlPlaneStack.CreateAsync(
                database.ConnectionString, routes, TimeSpan.FromSeconds(10),
                new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Warning" }, [Operator]);
            var replica = await stack.StartReplicaAsync();
            using var admin = ControlPlaneStack.Client(replica, Operator);
            await stack.UntilAsync(async () => (await admin.GetAsync(new Uri("api/routing-table", UriKind.Relative))).IsSuccessStatusCode, "the first routing table is published");
            await using var versions = database.CreateDataSource();
            var toggle = new DrainToggle(admin, routes[0].Primary);

            var figures = new List<BenchmarkFigure>();
            var notes = new List<string>();
            var runs = sizes.Select(n => (Kind: "protocol", Count: n)).ToList();
            if (sdk > 0)
            {
                runs.Add(("sdk", sdk));
            }

            foreach (var (kind, count) in runs)
            {
                Console.WriteLine($"propagation: starting {count:N0} {(kind == "sdk" ? ".NET SDK" : "protocol")} subscribers…");
                var started = Stopwatch.StartNew();
                await using ISubscriberFleet fleet = kind == "sdk"
                    ? await SdkSubscriberFleet.StartAsync(count, stack.RabbitMqUri, replica.BaseUrl, ControlPlaneStack.SigningKeyId, stack.Keys.PublicKeyPem, CancellationToken.None)
                    : await ProtocolSubscriberFleet.StartAsync(count, perConnection, stack.RabbitMqUri, replica.BaseUrl, ControlPlaneStack.SigningKeyId, stack.Keys.PublicKeyPem, CancellationToken.None);
                await SettleAsync(fleet, versions);
                Console.WriteLine($"  {count:N0} subscribers hold version {fleet.LowestVersion} after {started.Elapsed.TotalSeconds:0.0} s; {changes} changes…");

                // Two unmeasured changes first: JIT and connection warm-up on every path.
                for (var i = 0; i < 2; i++)
                {
                    await ChangeAsync(fleet, versions, toggle);
                }

                var measured = new List<ChangeResult>();
                for (var i = 0; i < changes; i++)
                {
                    measured.Add(await ChangeAsync(fleet, versions, toggle));
                }

                figures.AddRange(Figures(kind, count, measured));
                Console.WriteLine($"  done: commit → all applied p50 {Quantiles.Of(measured.Select(m => m.CommitToAll).ToList(), 0.5):0.0} ms, max {measured.Max(m => m.CommitToAll):0.0} ms");
                if (fleet.Rejected > 0)
                {
                    notes.Add($"{kind} × {count}: {fleet.Rejected} messages rejected by subscribers (should be 0).");
                }
            }

            notes.AddRange(
            [
                $"Each version change is one drain-target override created or deleted through the admin API, waited out before the next; {changes} measured changes per fleet after 2 unmeasured ones. p99 of {changes} values is their maximum.",
                "Commit time = routing_tables.created_at, taken inside the committing transaction before the commit, so every latency here errs long by the transaction's duration.",
                $"Protocol subscribers: in this process, one channel + exclusive queue each, {perConnection} per AMQP connection, one verifier (ECDSA P-256) each; applied = verified, parsed and swapped in. \"received\" is before verification.",
                $"Every subscriber shares the machine's {Environment.ProcessorCount} cores with the broker, Postgres and the control plane: at 1,000 subscribers, 1,000 signature verifications per version queue on them (in a real fleet each subscriber verifies on its own CPU).",
                "SDK subscribers: one host each with AddControlPlaneClient (own connection, snapshot bootstrap, status reports), applied = IRoutingTableSource.TableChanged.",
            ]);
            ResultsWriter.Report(
                "propagation",
                new Dictionary<string, string>
                {
                    ["subscribers"] = string.Join(",", sizes),
                    ["sdk"] = sdk.ToString(CultureInfo.InvariantCulture),
                    ["changes"] = changes.ToString(CultureInfo.InvariantCulture),
                    ["per-connection"] = perConnection.ToString(CultureInfo.InvariantCulture),
                },
                figures,
                notes);
            return 0;
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private static IEnumerable<BenchmarkFigure> Figures(string kind, int count, List<ChangeResult> results)
    {
        var label = kind == "sdk" ? $"{count:N0} SDK subscribers" : $"{count:N0} subscribers";
        var all = results.Select(r => r.CommitToAll).ToList();
        var each = results.SelectMany(r => r.CommitToEach).ToList();
        var delivered = results.Select(r => r.CommitToAllReceived).Where(double.IsFinite).ToList();
        var target = (kind, count) switch
        {
            ("protocol", 100) => (Text: "p99 ≤ 250 ms at 100", Limit: 250.0),
            ("protocol", 1000) => (Text: "p99 ≤ 1,000 ms at 1,000", Limit: 1000.0),
            _ => (Text: "", Limit: double.NaN),
        };
        var p99 = Quantiles.Of(all, 0.99);
        bool? met = double.IsNaN(target.Limit) ? null : p99 <= target.Limit && results.All(r => r.Missing == 0);

        yield return new($"{label}: commit → all applied, p50", Quantiles.Of(all, 0.5), "ms");
        yield return new($"{label}: commit → all applied, p99", p99, "ms", target.Text, met, Headline: met is not null);
        yield return new($"{label}: commit → each applied, p50", Quantiles.Of(each, 0.5), "ms");
        yield return new($"{label}: commit → each applied, p99", Quantiles.Of(each, 0.99), "ms");
        if (delivered.Count > 0)
        {
            yield return new($"{label}: commit → all received (before verifying), p50", Quantiles.Of(delivered, 0.5), "ms");
        }

        yield return new($"{label}: commit → broker confirmed the publish, p50", Quantiles.Of(results.Select(r => r.CommitToPublished).ToList(), 0.5), "ms");
        yield return new($"{label}: override request sent → all applied, p50", Quantiles.Of(results.Select(r => r.RequestToAll).ToList(), 0.5), "ms");
        yield return new($"{label}: this process's CPU per subscriber per version (receive, verify, parse, apply, ack), p50", Quantiles.Of(results.Select(r => r.CpuPerSubscriberMs).ToList(), 0.5), "ms");
        var missing = results.Sum(r => r.Missing);
        yield return new($"{label}: applies missing after {ChangeTimeout.TotalSeconds:0} s", missing, "", "0", missing == 0);
    }

    private sealed record ChangeResult(
        long Version, double CommitToAll, IReadOnlyList<double> CommitToEach, double CommitToAllReceived, double CommitToPublished, double RequestToAll, int Missing, double CpuPerSubscriberMs);

    /// <summary>One version change: toggle the drain, wait until every subscriber holds a newer version, read the times.</summary>
    private static async Task<ChangeResult> ChangeAsync(ISubscriberFleet fleet, NpgsqlDataSource versions, DrainToggle toggle)
    {
        var before = fleet.LowestVersion;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var sent = DateTimeOffset.UtcNow;
        await toggle.ToggleAsync();
        var clock = Stopwatch.StartNew();
        while (fleet.LowestVersion <= before && clock.Elapsed < ChangeTimeout)
        {
            await Task.Delay(2);
        }

        // Let stragglers' bookkeeping land and any follow-up version (there should be none) show up, then start the
        // next change from a fleet that is all on the latest version.
        await Task.Delay(250);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var rows = await VersionsAfterAsync(versions, before);
        if (rows.Count == 0)
        {
            throw new InvalidOperationException($"The override did not produce a routing table version after {before} within {ChangeTimeout.TotalSeconds:0} s.");
        }

        var (version, committed, published) = rows[0];
        var applied = Enumerable.Range(0, fleet.Count).Select(i => fleet.AppliedAt(i, version)).ToList();
        var received = Enumerable.Range(0, fleet.Count).Select(i => fleet.ReceivedAt(i, version)).ToList();
        var each = applied.OfType<DateTimeOffset>().Select(a => (a - committed).TotalMilliseconds).ToList();
        var missing = applied.Count(a => a is null);
        var last = applied.OfType<DateTimeOffset>().DefaultIfEmpty(DateTimeOffset.MaxValue).Max();
        var lastReceived = received.All(r => r is not null) ? received.Max(r => r!.Value) : (DateTimeOffset?)null;
        await SettleAsync(fleet, versions);
        return new ChangeResult(
            version,
            missing == 0 ? (last - committed).TotalMilliseconds : ChangeTimeout.TotalMilliseconds,
            each,
            lastReceived is { } r ? (r - committed).TotalMilliseconds : double.NaN,
            published is { } p ? (p - committed).TotalMilliseconds : double.NaN,
            missing == 0 ? (last - sent).TotalMilliseconds : ChangeTimeout.TotalMilliseconds,
            missing,
            cpu.TotalMilliseconds / fleet.Count);
    }

    /// <summary>Waits until every subscriber holds the latest committed version.</summary>
    private static async Task SettleAsync(ISubscriberFleet fleet, NpgsqlDataSource versions)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var latest = (await VersionsAfterAsync(versions, 0)).LastOrDefault().Version;
            if (fleet.LowestVersion >= latest)
            {
                return;
            }

            if (clock.Elapsed > ChangeTimeout)
            {
                throw new TimeoutException($"Subscribers did not all reach version {latest} within {ChangeTimeout.TotalSeconds:0} s (lowest: {fleet.LowestVersion}).");
            }

            await Task.Delay(20);
        }
    }

    private static async Task<List<(long Version, DateTimeOffset Committed, DateTimeOffset? Published)>> VersionsAfterAsync(NpgsqlDataSource dataSource, long after)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT t.version, t.created_at, o.published_at FROM routing_tables t LEFT JOIN routing_outbox o USING (version) WHERE t.version > $1 ORDER BY t.version");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        var rows = new List<(long, DateTimeOffset, DateTimeOffset?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return rows;
    }

    /// <summary>Drains one target, then ends the drain, then drains it again…: each call changes the table once.</summary>
    private sealed class DrainToggle(HttpClient admin, string target)
    {
        private string? _live;

        public async Task ToggleAsync()
        {
            if (_live is null)
            {
                using var response = await admin.PostAsJsonAsync(new Uri("api/overrides", UriKind.Relative), new
                {
                    kind = "drain-target",
                    target,
                    reason = "propagation benchmark",
                    ttl = "00:30:00",
                });
                response.EnsureSuccessStatusCode();
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                _live = body.RootElement.GetProperty("id").GetString();
            }
            else
            {
                using var response = await admin.DeleteAsync(new Uri($"api/overrides/{_live}", UriKind.Relative));
                response.EnsureSuccessStatusCode();
                _live = null;
            }
        }
    }
}
