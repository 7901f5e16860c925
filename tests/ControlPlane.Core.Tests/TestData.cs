using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests;

internal static class TestData
{
    public static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly TargetId Target = TargetId.For("anthropic", "claude-sonnet");

    public static ProbeSample Sample(ProbeOutcome outcome, DateTimeOffset at, double latencyMs = 200, double? ttftMs = null, TargetId? target = null)
    {
        var id = target ?? Target;
        var slash = id.Value.IndexOf('/', StringComparison.Ordinal);
        return new ProbeSample(
            id,
            slash > 0 ? id.Value[..slash] : id.Value,
            slash > 0 ? id.Value[(slash + 1)..] : id.Value,
            outcome,
            at,
            TimeSpan.FromMilliseconds(latencyMs),
            ttftMs is null ? null : TimeSpan.FromMilliseconds(ttftMs.Value));
    }

    public static ProbeSettings Probe(TimeSpan? interval = null, TimeSpan? objective = null) => new(
        ProbeMode.Inference,
        interval ?? TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(8),
        objective ?? TimeSpan.FromSeconds(5),
        1,
        "ping",
        true,
        new Dictionary<string, string>());
}
