using System.Net.Http.Json;
using System.Text;
using ControlPlane.Client;
using ControlPlane.Contracts;
using ControlPlane.Service.Tests.Integration.Breakers;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace ControlPlane.Service.Tests.Integration.Observability;

/// <summary>
/// Every query of every Grafana dashboard and every alert rule, run against a real Prometheus scraping a running
/// stack (a control plane process probing the simulator, with an SDK subscriber applying its tables) and against the
/// stack's Postgres. How each kind is checked:
/// <list type="bullet">
/// <item>PromQL panel targets and label_values variables: an instant query must succeed and return at least one
/// series with a finite value.</item>
/// <item>SQL panel targets and annotations (Postgres datasource): with Grafana's macros expanded, the query must run
/// and return at least one row.</item>
/// <item>Alert rules: Prometheus loads deploy/prometheus/rules.yml and every rule must be evaluated with health "ok";
/// their expressions are legitimately empty while nothing is wrong, so the query without its threshold (or inside
/// <c>absent()</c>) must return series instead — a renamed metric fails here rather than never paging.</item>
/// </list>
/// A gateway runs in the stack with steady client traffic, so gateway_* panels and rules are checked like the rest.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class DashboardAndAlertQueryTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    // Faults chosen so that every error class and every breaker/fleet metric has data: an overloaded primary that
    // fails over, a provider pacing us with 429s, and one with intermittent 5xx.
    // With request classes: the overloaded primary makes it degraded, so the degradation panels and rule have data.
    private static readonly TestRoute Chat = new("chat-default", "anthropic", "openai", "claude-sonnet-4-5")
    {
        Degradation = new System.Text.Json.Nodes.JsonObject { ["ShedStatus"] = 503 },
    };
    // Priced targets, so the probe spend panel has cost to show.
    private static readonly TestRoute Mini = new("chat-mini", "openai-b", "anthropic-b", "gpt-4o-mini")
    {
        Prices = new Dictionary<string, (decimal, decimal)> { ["openai-b"] = (0.15m, 0.6m), ["anthropic-b"] = (3m, 15m) },
        // Below what 1 s probes ask for, so the probe-budget panels have a binding budget to show.
        ProbeBudgets = new Dictionary<string, int> { ["anthropic-b"] = 30 },
    };

    [Fact]
    public async Task EveryDashboardAndAlertQuery_ReturnsData_AgainstARunningStack()
    {
        var prometheusBinary = PrometheusServer.FindBinary()
            ?? throw new InvalidOperationException(
                "prometheus is not installed: run `bash scripts/check-deploy.sh` (or `apt-get install prometheus`) first.");
        var root = ServiceProcess.RepositoryRoot();
        var dashboards = DashboardQueries.FromDashboards(Path.Combine(root, "grafana", "dashboards"));
        Assert.NotEmpty(dashboards);

        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString,
            [Chat, Mini],
            probeInterval: TimeSpan.FromSeconds(1),
            environment: new Dictionary<string, string?>
            {
                ["Storage__RollupInterval"] = "00:00:02",
                ["Breakers__BaseBreakDuration"] = "00:00:03",
            });
        await stack.Simulator.SetChaosAsync(Chat.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.Overloaded });
        await stack.Simulator.SetChaosAsync(Chat.SecondaryProvider, new ChaosSettings { Mode = ChaosMode.RateLimited, FailureRate = 0.3, Seed = 1 });
        await stack.Simulator.SetChaosAsync(Mini.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.ServerError, FailureRate = 0.3, Seed = 2 });
        var replica = await stack.StartReplicaAsync();

        using var subscriber = await StartSubscriberAsync(replica.BaseUrl, new Uri(await TestServices.RabbitMqAsync()), stack.Keys.PublicKeyPem);
        var gateway = await stack.StartGatewayAsync();
        using var stopTraffic = new CancellationTokenSource();
        var traffic = GatewayTrafficAsync(gateway.BaseUrl, [Chat.Id, Mini.Id], stopTraffic.Token);
        await using var prometheus = await PrometheusServer.StartAsync(
            prometheusBinary,
            new Dictionary<string, string[]> { ["controlplane"] = [replica.BaseUrl.Authority], ["gateway"] = [gateway.BaseUrl.Authority] },
            Path.Combine(root, "deploy", "prometheus", "rules.yml"));

        var rules = await prometheus.RulesAsync();
        Assert.NotEmpty(rules);
        var ruleQueries = rules.Select(r => new CheckedQuery($"rules.yml / {r.Group} / {r.Name}", QueryLanguage.PromQl, DashboardQueries.WithoutThreshold(r.Query)));
        var all = dashboards.Concat(ruleQueries).ToList();
        var checkedQueries = all;
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);

        // The stack needs a few probe intervals and evaluations before every series exists (the overloaded breaker
        // opens, tables are published and applied, rollups are written); a query that errors never heals.
        Dictionary<CheckedQuery, string> failures = [];
        try
        {
            await Eventually.UntilAsync(
                async () =>
                {
                    failures = await FailuresAsync(checkedQueries, prometheus, dataSource);
                    var unhealthy = (await prometheus.RulesAsync()).Where(r => r.Health != "ok").ToList();
                    foreach (var rule in unhealthy)
                    {
                        failures[new CheckedQuery($"rules.yml / {rule.Group} / {rule.Name}", QueryLanguage.PromQl, rule.Query)] =
                            $"rule health {rule.Health} {rule.LastError}";
                    }

                    // An error (bad syntax, unknown column) never heals: stop waiting and report it.
                    return failures.Count == 0 || failures.Values.Any(f => f.StartsWith("error", StringComparison.Ordinal));
                },
                TimeSpan.FromSeconds(120),
                "every dashboard and alert query returns data");
        }
        catch (TimeoutException)
        {
            // Reported below with the last round's failures.
        }
        finally
        {
            await stopTraffic.CancelAsync();
            await traffic;
        }

        if (failures.Count > 0)
        {
            // Errors stop the wait early, before the stack has produced everything: then only they are worth reading.
            var errors = failures.Where(f => f.Value.StartsWith("error", StringComparison.Ordinal)).ToList();
            var shown = errors.Count > 0 ? errors : failures.ToList();
            var report = new StringBuilder(errors.Count > 0
                ? $"{errors.Count} queries are invalid:\n"
                : $"{failures.Count} queries return no data after 120 s ({checkedQueries.Count} checked, plus every rule's health):\n");
            foreach (var (query, failure) in shown)
            {
                report.AppendLine($"- {query.Source}: {failure}\n    {query.Text.ReplaceLineEndings(" ")}");
            }

            Assert.Fail($"{report}\n{stack.Output()}\n--- prometheus ---\n{prometheus.Output}");
        }

        output.WriteLine($"{checkedQueries.Count} queries return data ({checkedQueries.Count(q => q.Language == QueryLanguage.Sql)} SQL, "
                         + $"{rules.Count} alert rules), gateway panels included.");
    }

    /// <summary>Steady client traffic through the gateway, so its request, retry and latency series exist.</summary>
    private static async Task GatewayTrafficAsync(Uri gateway, string[] routes, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            try
            {
                using var response = await http.PostAsJsonAsync(
                    new Uri("v1/chat/completions", UriKind.Relative),
                    new { model = routes[i % routes.Length], max_tokens = 4, messages = new[] { new { role = "user", content = "hi" } } },
                    cancellationToken);
                await Task.Delay(100, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Failed requests are data too (gateway_requests_total by outcome); stop only when asked.
            }
        }
    }

    private static async Task<Dictionary<CheckedQuery, string>> FailuresAsync(
        IEnumerable<CheckedQuery> queries, PrometheusServer prometheus, NpgsqlDataSource dataSource)
    {
        var failures = new Dictionary<CheckedQuery, string>();
        foreach (var query in queries)
        {
            if (query.Language == QueryLanguage.PromQl)
            {
                var result = await prometheus.QueryAsync(query.Text);
                if (result.Error is not null)
                {
                    failures[query] = $"error {result.Error}";
                }
                else if (result.NumericSeries == 0)
                {
                    failures[query] = $"no series with a finite value ({result.Series} series)";
                }
            }
            else
            {
                try
                {
                    await using var command = dataSource.CreateCommand(query.Text);
                    await using var reader = await command.ExecuteReaderAsync();
                    if (!await reader.ReadAsync())
                    {
                        failures[query] = "no rows";
                    }
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
                {
                    failures[query] = "no rows (table not migrated yet)";
                }
                catch (PostgresException e)
                {
                    failures[query] = $"error {e.SqlState}: {e.MessageText}";
                }
            }
        }

        return failures;
    }

    /// <summary>An SDK subscriber applying the tables, so the propagation and convergence metrics have data.</summary>
    private static async Task<IHost> StartSubscriberAsync(Uri controlPlane, Uri rabbitMq, string publicKeyPem)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.AddControlPlaneClient(o =>
        {
            o.SubscriberId = $"it-observability-{Guid.NewGuid():N}";
            o.ControlPlaneUrl = controlPlane.ToString();
            o.RabbitMqUri = rabbitMq.ToString();
            o.TrustedKeys["it-observability"] = publicKeyPem;
            o.StatusReportInterval = TimeSpan.FromSeconds(1);
            o.ReconnectDelay = TimeSpan.FromMilliseconds(200);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
