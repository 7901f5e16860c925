using ControlPlane.Core.Probing;
using ControlPlane.Simulator;
using ControlPlane.Testing;

namespace ControlPlane.Service.Tests.Integration;

/// <summary>
/// Quartz job → probe → ingest (binary COPY) → probe_samples, in a real service process: every outcome class the
/// simulator's chaos modes produce lands in Postgres classified correctly, for every provider kind.
/// </summary>
[Collection(ProbingServiceCollection.Name)]
public sealed class ProbePipelineTests(ProbingServiceFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    public static TheoryData<string, ChaosMode> Cases()
    {
        var data = new TheoryData<string, ChaosMode>();
        foreach (var kind in ProbingServiceFixture.Kinds)
        {
            foreach (var mode in ProbingServiceFixture.Modes)
            {
                data.Add(kind, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ChaosMode_LandsInProbeSamples_ClassifiedAsItsOutcome(string kind, ChaosMode mode)
    {
        var (expected, status) = Expected(kind, mode);
        var target = ProbingServiceFixture.TargetId(kind, mode);

        var samples = await Eventually.UntilAsync(
            () => fixture.SamplesOfAsync(target),
            rows => rows.Any(r => r.Outcome == (short)expected),
            Deadline,
            $"a '{expected.ToWireName()}' sample of {target} is stored");

        var sample = samples.First(r => r.Outcome == (short)expected);
        Assert.Equal(status, sample.HttpStatus);

        // Every other sample of the target is the same class too. A timeout is tolerated (a probe can miss its
        // deadline on a loaded machine); any other class means the pipeline misclassified the failure.
        var others = samples.Select(r => (ProbeOutcome)r.Outcome).Where(o => o != expected && o != ProbeOutcome.Timeout).ToList();
        Assert.True(others.Count == 0, $"{target}: expected only {expected.ToWireName()}, also stored {string.Join(", ", others.Select(o => o.ToWireName()))}");

        switch (expected)
        {
            case ProbeOutcome.RateLimited:
                Assert.Equal(ProbingServiceFixture.RetryAfterSeconds * 1000, sample.RetryAfterMs);
                break;
            case ProbeOutcome.QuotaExceeded:
                Assert.Null(sample.RetryAfterMs); // a spend cap is not pacing: no retry hint to honour
                break;
            case ProbeOutcome.Success:
                Assert.NotNull(sample.TtftMs); // streamed inference measures time to first token
                Assert.Null(sample.Detail);
                break;
            case ProbeOutcome.Slow:
                Assert.NotNull(sample.TtftMs);
                Assert.True(sample.LatencyMs > ProbingServiceFixture.SlowObjective.TotalMilliseconds);
                Assert.Contains("latency objective", sample.Detail, StringComparison.Ordinal);
                break;
            default:
                Assert.False(string.IsNullOrWhiteSpace(sample.Detail), $"{target}: a failure sample says what failed");
                break;
        }
    }

    private static (ProbeOutcome Outcome, short? HttpStatus) Expected(string kind, ChaosMode mode) => mode switch
    {
        ChaosMode.Healthy => (ProbeOutcome.Success, 200),
        ChaosMode.Slow => (ProbeOutcome.Slow, 200),
        // Only Anthropic has a 529; the others say "overloaded" in a 503.
        ChaosMode.Overloaded => (ProbeOutcome.Overloaded, kind == "anthropic" ? (short)529 : (short)503),
        ChaosMode.RateLimited => (ProbeOutcome.RateLimited, 429),
        ChaosMode.SpendCap => (ProbeOutcome.QuotaExceeded, 429),
        ChaosMode.ServerError => (ProbeOutcome.ServerError, 503),
        ChaosMode.Hang => (ProbeOutcome.Timeout, null),
        ChaosMode.Refuse => (ProbeOutcome.ConnectFailure, null),
        ChaosMode.AuthFailure => (ProbeOutcome.AuthFailure, 401),
        ChaosMode.BadRequest => (ProbeOutcome.BadRequest, 400),
        ChaosMode.StreamError => (ProbeOutcome.StreamError, 200),
        ChaosMode.Malformed => (ProbeOutcome.MalformedResponse, 200),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };
}
