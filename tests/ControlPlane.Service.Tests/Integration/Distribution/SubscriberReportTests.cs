using System.Text.Json;
using ControlPlane.Contracts;
using ControlPlane.Service.Tests.Integration.Breakers;
using ControlPlane.Testing;
using Npgsql;
using RabbitMQ.Client;

namespace ControlPlane.Service.Tests.Integration.Distribution;

/// <summary>
/// Status reports as any subscriber publishes them (raw JSON on controlplane.subscriber-status), read back through the
/// control plane's /metrics and GET /api/subscribers. Each report is sent only after the previous one was recorded.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class SubscriberReportTests : IAsyncLifetime
{
    private const string RejectionsMetric = "controlplane_subscriber_rejections_reported_total";
    private static readonly TestApiKey Reader = TestApiKey.Create("reader", "read");
    private static readonly TestRoute Route = new("reports-route", "anthropic-rep", "openai-rep", "m1");

    private readonly PostgresDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task ARejectionRepeatedInEveryReport_IsCountedOnce_UnderItsClosedLabel()
    {
        await using var stack = await ControlPlaneStack.CreateAsync(_database.ConnectionString, [Route], TimeSpan.FromSeconds(5), keys: [Reader]);
        var replica = await stack.StartReplicaAsync();
        using var http = ControlPlaneStack.Client(replica, Reader);
        await using var reporter = await Reporter.StartAsync(stack, http, "reports-repeat");
        var before = await RejectionsAsync(replica);

        // Reports repeat the last rejection (same "at") until the next one: five reports, one rejection.
        var first = new RejectionInfo { Version = 7, Reason = "bad-signature: signed by key 'attacker-key-0001'", At = DateTimeOffset.UtcNow };
        for (var i = 0; i < 5; i++)
        {
            await reporter.ReportAsync(appliedVersion: 3, first);
        }

        var afterRepeats = await RejectionsAsync(replica);

        // A rejection with a new "at" is a new rejection; a reason outside the closed set counts as "other".
        await reporter.ReportAsync(appliedVersion: 3, first with { At = first.At.AddSeconds(1) });
        await reporter.ReportAsync(appliedVersion: 3, new RejectionInfo { Reason = "parser said: unexpected token <", At = first.At.AddSeconds(2) });
        await reporter.ReportAsync(appliedVersion: 3, new RejectionInfo { Reason = "parser said: unexpected token <", At = first.At.AddSeconds(2) });
        var after = await RejectionsAsync(replica);

        Assert.Equal(1, Delta(before, afterRepeats, RejectionReasons.BadSignature));
        Assert.Equal(0, afterRepeats.Sum(p => p.Value) - before.Sum(p => p.Value) - 1);
        Assert.Equal(2, Delta(before, after, RejectionReasons.BadSignature));
        Assert.Equal(1, Delta(before, after, RejectionReasons.Other));
        // The series are the closed set plus "other", whatever free text the reports carried.
        Assert.Equal(RejectionReasons.All.Append(RejectionReasons.Other).Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SubscribersEndpoint_ShowsTheAppliedVersionAndTheLatestRejectionsOwnColumns()
    {
        await using var stack = await ControlPlaneStack.CreateAsync(_database.ConnectionString, [Route], TimeSpan.FromSeconds(5), keys: [Reader]);
        var replica = await stack.StartReplicaAsync();
        using var http = ControlPlaneStack.Client(replica, Reader);
        await stack.UntilAsync(async () => await CurrentVersionAsync() is not null, "the first table is committed");
        var current = (await CurrentVersionAsync())!.Value;
        await using var reporter = await Reporter.StartAsync(stack, http, "reports-columns");
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);

        // 1. Applied the current version; rejected a readable forged message (version known).
        var forged = new RejectionInfo { Version = current + 40, Reason = "bad-signature", At = at };
        var view = await reporter.ReportAsync(appliedVersion: current, forged);
        Assert.Equal("sdk", view.GetProperty("kind").GetString());
        Assert.Equal(current, view.GetProperty("appliedVersion").GetInt64());
        Assert.Equal(0, view.GetProperty("versionsBehind").GetInt64());
        Assert.True(view.GetProperty("live").GetBoolean());
        Assert.Equal((current + 40, "bad-signature"), (view.GetProperty("lastRejectionVersion").GetInt64(), view.GetProperty("lastRejectionReason").GetString()));
        Assert.Equal(at, view.GetProperty("lastRejectionAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));

        // 2. A newer rejection of an unreadable message: its version is unknown, so the column is null — not the
        //    previous rejection's version next to the new reason.
        var unreadable = new RejectionInfo { Version = null, Reason = "malformed: not JSON", At = at.AddSeconds(10) };
        view = await reporter.ReportAsync(appliedVersion: current, unreadable);
        Assert.Equal(JsonValueKind.Null, view.GetProperty("lastRejectionVersion").ValueKind);
        Assert.Equal("malformed: not JSON", view.GetProperty("lastRejectionReason").GetString());
        Assert.Equal(at.AddSeconds(10), view.GetProperty("lastRejectionAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));

        // 3. A report without a rejection keeps the last one; a report of an older version does not move the applied one back.
        view = await reporter.ReportAsync(appliedVersion: current - 1, rejection: null);
        Assert.Equal(current, view.GetProperty("appliedVersion").GetInt64());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("lastRejectionVersion").ValueKind);
        Assert.Equal("malformed: not JSON", view.GetProperty("lastRejectionReason").GetString());
        Assert.Equal(at.AddSeconds(10), view.GetProperty("lastRejectionAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));

        using var fleet = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/subscribers", UriKind.Relative)));
        Assert.Equal(current, fleet.RootElement.GetProperty("currentVersion").GetInt64());
        Assert.True(fleet.RootElement.GetProperty("liveOnCurrent").GetInt32() >= 1);
    }

    private static double Delta(IReadOnlyDictionary<string, double> before, IReadOnlyDictionary<string, double> after, string reason) =>
        after.GetValueOrDefault(reason) - before.GetValueOrDefault(reason);

    private static async Task<IReadOnlyDictionary<string, double>> RejectionsAsync(ServiceProcess replica)
    {
        using var http = ControlPlaneStack.Client(replica);
        var metrics = await PrometheusText.ScrapeAsync(http, replica.BaseUrl);
        return metrics.Samples.Where(s => s.Name == RejectionsMetric).ToDictionary(s => s.Labels["reason"], s => s.Value, StringComparer.Ordinal);
    }

    private async Task<long?> CurrentVersionAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT max(version) FROM routing_tables");
        return await command.ExecuteScalarAsync() is long version ? version : null;
    }

    /// <summary>One subscriber's reports, each awaited until the fleet view shows it recorded.</summary>
    private sealed class Reporter : IAsyncDisposable
    {
        private readonly ControlPlaneStack _stack;
        private readonly HttpClient _http;
        private readonly string _id;
        private readonly IConnection _connection;
        private readonly IChannel _channel;

        private Reporter(ControlPlaneStack stack, HttpClient http, string id, IConnection connection, IChannel channel)
        {
            _stack = stack;
            _http = http;
            _id = id;
            _connection = connection;
            _channel = channel;
        }

        public static async Task<Reporter> StartAsync(ControlPlaneStack stack, HttpClient http, string id)
        {
            var factory = new ConnectionFactory { Uri = new Uri(stack.RabbitMqUri) };
            var connection = await factory.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeclareAsync(Exchanges.SubscriberStatus, ExchangeType.Fanout, durable: true);
            return new Reporter(stack, http, id, connection, channel);
        }

        /// <summary>Publishes a report and returns this subscriber's row of GET /api/subscribers once it is recorded.</summary>
        public async Task<JsonElement> ReportAsync(long? appliedVersion, RejectionInfo? rejection)
        {
            var previous = await RowAsync();
            var status = new SubscriberStatus
            {
                SubscriberId = _id,
                Kind = SubscriberKinds.Sdk,
                Host = "test-host",
                AppliedVersion = appliedVersion,
                AppliedAt = DateTimeOffset.UtcNow,
                ReportedAt = DateTimeOffset.UtcNow,
                LastRejection = rejection,
            };
            var properties = new BasicProperties { ContentType = MessageTypes.ContentType, Type = MessageTypes.SubscriberStatus };
            await _channel.BasicPublishAsync(Exchanges.SubscriberStatus, "", false, properties, ContractsJson.Serialize(status));

            JsonElement? row = null;
            await _stack.UntilAsync(
                async () => (row = await RowAsync()) is { } r
                    && (previous is not { } p || r.GetProperty("lastSeen").GetDateTimeOffset() > p.GetProperty("lastSeen").GetDateTimeOffset()),
                $"the control plane records report of {_id}");
            return row!.Value;
        }

        public async ValueTask DisposeAsync()
        {
            await _channel.DisposeAsync();
            await _connection.DisposeAsync();
        }

        private async Task<JsonElement?> RowAsync()
        {
            using var fleet = JsonDocument.Parse(await _http.GetStringAsync(new Uri("api/subscribers", UriKind.Relative)));
            foreach (var s in fleet.RootElement.GetProperty("subscribers").EnumerateArray())
            {
                if (s.GetProperty("subscriberId").GetString() == _id)
                {
                    return s.Clone();
                }
            }

            return null;
        }
    }
}
