using ControlPlane.Contracts;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Core.Routing;
using ControlPlane.Service.Health;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Service.Tests.Health;

public sealed class RetryAfterIngestTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 7, 0, 0, TimeSpan.Zero);
    private static readonly TargetId Known = new("a/m");


    private readonly RetryAfterPauses _pauses = new();
    private readonly RetryAfterIngest _ingest;

    public RetryAfterIngestTests()
    {
        var catalog = CatalogBuilder.Build(new CatalogOptions
        {
            Providers = [new() { Id = "a", Kind = "openai", BaseUrl = "https://a.example", ApiKeyEnv = "A" }],
            Targets = [new() { Provider = "a", Model = "m" }],
            Routes = [new() { Id = "chat", Tiers = [new() { Targets = [new() { Target = "a/m" }] }] }],
        }, AllKeysSet.Instance).Catalog!;
        _ingest = new RetryAfterIngest(catalog, _pauses, new EvidenceSignal(), new FakeTimeProvider(Now));
    }

    [Fact]
    public void Fold_ReportedRetryAfterUntil_PausesACatalogTarget_IgnoresMadeUpIds()
    {
        _ingest.Fold(Report(("a/m", Now.AddSeconds(20)), ("made/up", Now.AddSeconds(20))));

        var active = _pauses.ActiveAt(Now);
        Assert.Equal(Now.AddSeconds(20), active[Known]);
        Assert.Single(active);
    }

    [Fact]
    public void OnSample_RateLimitedProbeWithRetryAfter_PausesTheTarget()
    {
        _ingest.OnSample(Sample(ProbeOutcome.RateLimited, TimeSpan.FromSeconds(15)));

        Assert.Equal(Now.AddSeconds(15), _pauses.ActiveAt(Now)[Known]);
    }

    [Theory]
    [InlineData(ProbeOutcome.QuotaExceeded)] // a spend cap is a quota signal, not pacing
    [InlineData(ProbeOutcome.Overloaded)]
    public void OnSample_OtherOutcomesWithRetryAfter_PauseNothing(ProbeOutcome outcome)
    {
        _ingest.OnSample(Sample(outcome, TimeSpan.FromSeconds(15)));

        Assert.Empty(_pauses.ActiveAt(Now));
    }

    private static TrafficReport Report(params (string Target, DateTimeOffset Until)[] entries) => new()
    {
        ReporterId = "g",
        WindowStart = Now.AddSeconds(-1),
        WindowEnd = Now,
        Targets = entries.Select(e => new TargetTraffic
        {
            Target = e.Target, Outcomes = new Dictionary<string, int> { [Outcomes.RateLimited] = 1 }, RetryAfterUntil = e.Until,
        }).ToList(),
    };

    private static ProbeSample Sample(ProbeOutcome outcome, TimeSpan retryAfter) =>
        new(Known, "a", "m", outcome, Now, TimeSpan.FromMilliseconds(30), HttpStatus: 429, RetryAfter: retryAfter);
}
