using ControlPlane.Client.Tests.Support;
using ControlPlane.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Client.Tests.Routing;

/// <summary>Size limit, version conflicts and closed rejection reasons of the apply rule.</summary>
public sealed class RejectionTests : IDisposable
{
    private readonly TestTables _tables = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RoutingTableStore _store;

    public RejectionTests() => _store = new RoutingTableStore(_tables.Verifier(), _time);

    public void Dispose() => _tables.Dispose();

    [Fact]
    public void Offer_OverTheSizeLimit_IsRejectedAsTooLargeBeforeParsing()
    {
        _store.Offer(_tables.Json(1), TableSource.Broker);

        // Not even JSON: a parser would call it malformed; the size check must come first.
        var oversized = new byte[ProtocolLimits.MaxMessageBytes + 1];
        var decision = _store.Offer(oversized, TableSource.Broker);

        Assert.Equal((ApplyOutcome.Rejected, RejectionReasons.TooLarge), (decision.Outcome, decision.RejectionReason));
        Assert.Null(decision.Message);
        Assert.Equal((1L, 0L), (_store.Counters.RejectedTooLarge, _store.Counters.RejectedMalformed));
        Assert.StartsWith(RejectionReasons.TooLarge, _store.LastRejection!.Reason, StringComparison.Ordinal);
        Assert.Equal(1, _store.CurrentVersion);
    }

    [Fact]
    public void Offer_AtTheSizeLimit_IsParsed()
    {
        var padded = new byte[ProtocolLimits.MaxMessageBytes];
        Array.Fill(padded, (byte)' ');
        var json = _tables.Json(3);
        json.CopyTo(padded, 0); // Trailing whitespace is valid JSON and does not change the signing input.

        Assert.Equal(ApplyOutcome.Applied, _store.Offer(padded, TableSource.Broker).Outcome);
    }

    [Fact]
    public void Offer_SameVersionOtherContent_IsAConflict_NotIgnored()
    {
        _store.Offer(_tables.Json(7, TestTables.Table(TestTables.Route("a", 0, TestTables.Tier(TestTables.Target("p/m1", 100))))), TableSource.Broker);
        var held = _store.CurrentContentHash;

        var other = _tables.Json(7, TestTables.Table(TestTables.Route("a", 0, TestTables.Tier(TestTables.Target("p/m2", 100)))));
        var decision = _store.Offer(other, TableSource.Broker);

        Assert.Equal((ApplyOutcome.Rejected, RejectionReasons.VersionConflict), (decision.Outcome, decision.RejectionReason));
        Assert.Equal(1, _store.Counters.RejectedVersionConflict);
        Assert.Equal(0, _store.Counters.Ignored);
        Assert.Equal(held, _store.CurrentContentHash);
        Assert.StartsWith(RejectionReasons.VersionConflict, _store.LastRejection!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Offer_SameVersionSameContentResigned_IsIgnored()
    {
        // ECDSA signatures differ on every signing: the same table signed twice is the same table.
        _store.Offer(_tables.Json(7), TableSource.Broker);

        var decision = _store.Offer(_tables.Json(7), TableSource.Broker);

        Assert.Equal(ApplyOutcome.Ignored, decision.Outcome);
    }

    [Fact]
    public void Offer_ConflictFromTheSnapshot_ReplacesTheHeldTable()
    {
        var forged = TestTables.Table(TestTables.Route("a", 0, TestTables.Tier(TestTables.Target("p/evil", 100))));
        _store.Offer(_tables.Json(7, forged), TableSource.Broker);

        var ours = _tables.Json(7);
        var decision = _store.Offer(ours, TableSource.Snapshot);

        Assert.Equal(ApplyOutcome.Applied, decision.Outcome);
        Assert.Equal(CanonicalJson.ContentHash(ours), _store.CurrentContentHash);
    }

    [Fact]
    public void RejectOversized_CountsAndRecordsWithoutABody()
    {
        var decision = _store.RejectOversized(5 * 1024 * 1024, TableSource.Snapshot);

        Assert.Equal(RejectionReasons.TooLarge, decision.RejectionReason);
        Assert.Equal(1, _store.Counters.RejectedByReason[RejectionReasons.TooLarge]);
    }

    [Fact]
    public void Counters_RejectedByReason_HoldsExactlyTheClosedSet()
    {
        _store.Offer(_tables.Tampered(2), TableSource.Broker);
        _store.Offer(TestTables.SignedByUnknownKey(2), TableSource.Broker);
        _store.Offer("{oops"u8, TableSource.Broker);

        Assert.Equal(RejectionReasons.All.Order(StringComparer.Ordinal), _store.Counters.RejectedByReason.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, _store.Counters.Rejected);
    }
}
