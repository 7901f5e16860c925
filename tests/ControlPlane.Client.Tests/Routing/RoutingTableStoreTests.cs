using ControlPlane.Client.Tests.Support;
using ControlPlane.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Client.Tests.Routing;

public sealed class RoutingTableStoreTests : IDisposable
{
    private readonly TestTables _tables = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RoutingTableStore _store;

    public RoutingTableStoreTests() => _store = new RoutingTableStore(_tables.Verifier(), _time);

    public void Dispose() => _tables.Dispose();

    [Fact]
    public void Offer_NewerValid_SwapsTheTableAndRaisesTableChanged()
    {
        var raised = new List<RoutingTableAppliedEventArgs>();
        _store.TableChanged += (_, e) => raised.Add(e);

        _store.Offer(_tables.Json(1), TableSource.Snapshot);
        _time.Advance(TimeSpan.FromSeconds(3));
        _store.Offer(_tables.Json(2), TableSource.Broker);

        Assert.Equal(2, _store.CurrentVersion);
        Assert.Equal(_time.GetUtcNow(), _store.AppliedAt);
        Assert.Equal([1L, 2L], raised.Select(e => e.Current.Version));
        Assert.Equal(1, raised[1].Previous!.Version);
        Assert.Equal(TableSource.Broker, raised[1].Source);
        Assert.Equal(2, _store.Counters.Applied);
    }

    [Fact]
    public void Offer_NotNewer_IsIgnoredAndNeverRegresses()
    {
        _store.Offer(_tables.Json(5), TableSource.Broker);
        var appliedAt = _store.AppliedAt;
        _time.Advance(TimeSpan.FromSeconds(1));

        var same = _store.Offer(_tables.Json(5), TableSource.Snapshot);
        var older = _store.Offer(_tables.Json(3), TableSource.Broker);

        Assert.Equal(ApplyOutcome.Ignored, same.Outcome);
        Assert.Equal(ApplyOutcome.Ignored, older.Outcome);
        Assert.Equal(5, _store.CurrentVersion);
        Assert.Equal(appliedAt, _store.AppliedAt);
        Assert.Equal(2, _store.Counters.Ignored);
    }

    [Fact]
    public void Offer_Rejected_KeepsTheLastGoodTableAndRecordsTheRejection()
    {
        _store.Offer(_tables.Json(5), TableSource.Broker);
        var good = _store.Current;
        _time.Advance(TimeSpan.FromMinutes(1));

        _store.Offer(_tables.Tampered(6), TableSource.Broker);
        _store.Offer(TestTables.SignedByUnknownKey(7), TableSource.Broker);
        _store.Offer("not json"u8.ToArray(), TableSource.Broker);

        Assert.Same(good, _store.Current);
        Assert.Equal(1, _store.Counters.RejectedBadSignature);
        Assert.Equal(1, _store.Counters.RejectedUnknownKeyId);
        Assert.Equal(1, _store.Counters.RejectedMalformed);
        Assert.Equal(3, _store.Counters.Rejected);
        Assert.Null(_store.LastRejection!.Version);
        Assert.StartsWith(RejectionReasons.Malformed, _store.LastRejection.Reason, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow(), _store.LastRejection.At);
    }

    [Fact]
    public void Staleness_IsNullBeforeAnyContact_AndGrowsWithTimeSinceTheLastContact()
    {
        Assert.Null(_store.Staleness);

        _store.Offer(_tables.Json(1), TableSource.Snapshot);
        Assert.Equal(TimeSpan.Zero, _store.Staleness);

        _time.Advance(TimeSpan.FromSeconds(42));
        Assert.Equal(TimeSpan.FromSeconds(42), _store.Staleness);

        _store.RecordContact(); // e.g. the snapshot endpoint answered with the same version
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), _store.Staleness);
    }

    [Fact]
    public void Staleness_IsZeroWhileConnected_AndCountsFromTheDisconnection()
    {
        _store.Offer(_tables.Json(1), TableSource.Snapshot);
        _store.SetConnected(true);
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(TimeSpan.Zero, _store.Staleness);
        Assert.True(_store.IsConnected);

        _store.SetConnected(false);
        _time.Advance(TimeSpan.FromSeconds(7));

        Assert.Equal(TimeSpan.FromSeconds(7), _store.Staleness);
        Assert.Equal(_time.GetUtcNow().AddSeconds(-7), _store.LastContactAt);
    }

    [Fact]
    public void Staleness_FromCacheWithoutContact_CountsFromTheTablesIssuedAt()
    {
        var issuedAt = _time.GetUtcNow().AddHours(-3);

        _store.Offer(_tables.Json(9, issuedAt: issuedAt), TableSource.Cache);

        Assert.Equal(TimeSpan.FromHours(3), _store.Staleness);
        Assert.False(_store.IsConnected);
    }

    [Fact]
    public void Offer_RejectedSnapshot_IsNotContact()
    {
        _store.Offer(_tables.Json(1), TableSource.Snapshot);
        _time.Advance(TimeSpan.FromSeconds(30));

        _store.Offer(_tables.Tampered(2), TableSource.Snapshot);

        Assert.Equal(TimeSpan.FromSeconds(30), _store.Staleness);
    }

    [Fact]
    public async Task WaitForVersionAsync_CompletesWhenThatVersionIsApplied()
    {
        var waiting = _store.WaitForVersionAsync(3);
        _store.Offer(_tables.Json(2), TableSource.Broker);
        Assert.False(waiting.IsCompleted);

        _store.Offer(_tables.Json(4), TableSource.Broker);

        Assert.Equal(4, (await waiting).Version);
        Assert.Equal(4, (await _store.WaitForVersionAsync(1)).Version);
    }
}
