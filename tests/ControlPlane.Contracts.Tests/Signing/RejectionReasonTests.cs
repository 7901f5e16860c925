using ControlPlane.Contracts;

namespace ControlPlane.Contracts.Tests.Signing;

public sealed class RejectionReasonTests
{
    [Theory]
    [InlineData("bad-signature: the signature does not match the content", RejectionReasons.BadSignature)]
    [InlineData("unknown-key-id", RejectionReasons.UnknownKeyId)]
    [InlineData("malformed: 'x' is an invalid start of a value", RejectionReasons.Malformed)]
    [InlineData("too-large: 5242880 bytes", RejectionReasons.TooLarge)]
    [InlineData("version-conflict: version 7 is held with other content", RejectionReasons.VersionConflict)]
    [InlineData("key id 'attacker-1234' is not trusted", RejectionReasons.Other)]
    [InlineData("", RejectionReasons.Other)]
    [InlineData(null, RejectionReasons.Other)]
    public void LabelOf_MapsAnyReportedReasonOntoTheClosedSet(string? reported, string label) =>
        Assert.Equal(label, RejectionReasons.LabelOf(reported));

    [Fact]
    public void LabelOf_AForgedTableFlood_CreatesNoLabelOutsideTheClosedSet()
    {
        // What a flood of forged tables makes subscribers report: every key id and parser text different.
        var reported = Enumerable.Range(0, 10_000).Select(i => (i % 3) switch
        {
            0 => $"unknown-key-id: key id 'forged-{i}' is not trusted",
            1 => $"malformed: unexpected character at {i}",
            _ => $"forged-reason-{i}",
        });

        var labels = reported.Select(RejectionReasons.LabelOf).ToHashSet();

        Assert.Subset(RejectionReasons.All.Append(RejectionReasons.Other).ToHashSet(), labels);
        Assert.Equal(3, labels.Count);
    }
}
