using ControlPlane.Client.Tests.Support;
using ControlPlane.Contracts;

namespace ControlPlane.Client.Tests.Routing;

public sealed class TableApplierTests : IDisposable
{
    private readonly TestTables _tables = new();

    public void Dispose() => _tables.Dispose();

    private RoutingTableVerification Candidate(byte[] json) => _tables.Verifier().Verify(json);

    [Fact]
    public void Decide_FirstValidTable_IsApplied()
    {
        var decision = TableApplier.Decide(null, Candidate(_tables.Json(5)));

        Assert.Equal(ApplyOutcome.Applied, decision.Outcome);
        Assert.Equal(5, decision.Message!.Version);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    [InlineData(1)]
    public void Decide_VersionNotNewer_IsIgnored(long candidate)
    {
        var decision = TableApplier.Decide(5, Candidate(_tables.Json(candidate)));

        Assert.Equal(ApplyOutcome.Ignored, decision.Outcome);
        Assert.Null(decision.RejectionReason);
    }

    [Fact]
    public void Decide_NewerVersion_IsApplied()
    {
        Assert.Equal(ApplyOutcome.Applied, TableApplier.Decide(5, Candidate(_tables.Json(6))).Outcome);
    }

    [Fact]
    public void Decide_InvalidCandidates_AreRejectedWithTheirReason_EvenWhenNewer()
    {
        Assert.Equal(RejectionReasons.BadSignature, TableApplier.Decide(5, Candidate(_tables.Tampered(9))).RejectionReason);
        Assert.Equal(RejectionReasons.UnknownKeyId, TableApplier.Decide(5, Candidate(TestTables.SignedByUnknownKey(9))).RejectionReason);
        Assert.Equal(RejectionReasons.Malformed, TableApplier.Decide(5, Candidate("{oops"u8.ToArray())).RejectionReason);
        Assert.Equal(ApplyOutcome.Rejected, TableApplier.Decide(null, Candidate(_tables.Tampered(9))).Outcome);
    }

    [Fact]
    public void Decide_OldVersionWithBadSignature_IsRejectedNotIgnored()
    {
        // Verification comes first: a forged replay is reported, not silently dropped.
        Assert.Equal(ApplyOutcome.Rejected, TableApplier.Decide(5, Candidate(_tables.Tampered(2))).Outcome);
    }
}
