using ControlPlane.Core.Alerts;
using ControlPlane.Core.Catalog;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace ControlPlane.Core.Tests.Alerts;

public sealed class AlertTrackerTests
{
    private static readonly TargetDefinition Sonnet = Target("anthropic", "sonnet");
    private static readonly TargetDefinition Haiku = Target("anthropic", "haiku");
    private static readonly TargetDefinition Opus = Target("anthropic", "opus");
    private static readonly TargetDefinition Gpt = Target("openai", "gpt");

    private readonly FakeTimeProvider _time = new(TestData.T0);

    [Fact]
    public void TriggerWhileAlreadyTriggered_IsNotSentAgain_AndResolveFollowsOnce()
    {
        var tracker = new AlertTracker(new AlertSettings(TimeSpan.FromMinutes(10), TimeSpan.Zero));
        var open = AlertCondition.TargetOpen(Gpt, "open");

        var first = tracker.Evaluate([open], _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(1));
        var again = tracker.Evaluate([open with { Summary = "still open" }], _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(1));
        var resolved = tracker.Evaluate([], _time.GetUtcNow());
        var quiet = tracker.Evaluate([], _time.GetUtcNow());

        Assert.Equal(AlertAction.Trigger, Assert.Single(first).Action);
        Assert.Empty(again);
        var resolve = Assert.Single(resolved);
        Assert.Equal((AlertAction.Resolve, "openai:gpt:open"), (resolve.Action, resolve.Alert.Key));
        Assert.Equal("Resolved: breaker closed (openai/gpt)", resolve.Alert.Summary);
        Assert.Empty(quiet);
    }

    [Fact]
    public void Resolve_CarriesAResolveSummary_NotTheTriggersWords()
    {
        var tracker = new AlertTracker(new AlertSettings(TimeSpan.FromMinutes(10), TimeSpan.Zero));
        tracker.Evaluate([AlertCondition.TargetOpen(Gpt, "breaker is open"), AlertCondition.Panic("chat", "route chat has no eligible target")], _time.GetUtcNow());

        var resolves = tracker.Evaluate([], _time.GetUtcNow());

        Assert.All(resolves, r => Assert.Equal(AlertAction.Resolve, r.Action));
        Assert.Equal(
            ["Resolved: breaker closed (openai/gpt)", "Resolved: panic over: the route has an eligible target again (route chat)"],
            resolves.Select(r => r.Alert.Summary).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(resolves, r => r.Alert.Summary.Contains("is open", StringComparison.Ordinal));
    }

    [Fact]
    public void RestoredAlert_ResolvesWithAResolveSummary()
    {
        var tracker = new AlertTracker(AlertSettings.Default);
        tracker.Restore([new AlertKeyState(AlertCondition.TargetOpen(Gpt, "breaker is open"), Active: true, _time.GetUtcNow())]);

        var resolve = Assert.Single(tracker.Evaluate([], _time.GetUtcNow()));

        Assert.Equal("Resolved: breaker closed (openai/gpt)", resolve.Alert.Summary);
    }

    [Fact]
    public void ProviderIncident_SuppressesItsPerModelAlerts_WhenTheyFormWithinTheGroupWait()
    {
        var tracker = new AlertTracker(new AlertSettings(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30)));

        // The storm reaches the models one evaluation apart; the incident forms once two are open.
        var events = new List<AlertEvent>();
        events.AddRange(tracker.Evaluate([AlertCondition.TargetOpen(Sonnet, "open")], _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(2));
        events.AddRange(tracker.Evaluate(
            [AlertCondition.TargetOpen(Sonnet, "open"), AlertCondition.TargetOpen(Haiku, "open"), AlertCondition.Incident("anthropic", "2 of 3")],
            _time.GetUtcNow()));
        for (var i = 0; i < 60; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            events.AddRange(tracker.Evaluate(
                [AlertCondition.TargetOpen(Sonnet, "open"), AlertCondition.TargetOpen(Haiku, "open"), AlertCondition.TargetOpen(Opus, "open"), AlertCondition.Incident("anthropic", "3 of 3")],
                _time.GetUtcNow()));
        }

        var trigger = Assert.Single(events);
        Assert.Equal((AlertAction.Trigger, "anthropic:*:incident", AlertSeverity.Critical), (trigger.Action, trigger.Alert.Key, trigger.Alert.Severity));
    }

    [Fact]
    public void StragglerOfAnEndingIncident_GetsAFreshGroupWait()
    {
        var tracker = new AlertTracker(new AlertSettings(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30)));
        var incident = AlertCondition.Incident("anthropic", "3 of 3");
        var sonnet = AlertCondition.TargetOpen(Sonnet, "open");
        var haiku = AlertCondition.TargetOpen(Haiku, "half-open");
        tracker.Evaluate([incident, sonnet, haiku], _time.GetUtcNow());
        _time.Advance(TimeSpan.FromMinutes(5));
        tracker.Evaluate([incident, sonnet, haiku], _time.GetUtcNow());

        // Sonnet recovers, the incident ends, haiku is still on trial: it waits its own group wait, and closes within it.
        _time.Advance(TimeSpan.FromSeconds(1));
        var ending = tracker.Evaluate([haiku], _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(20));
        var straggling = tracker.Evaluate([haiku], _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(5));
        var closed = tracker.Evaluate([], _time.GetUtcNow());

        Assert.Equal([(AlertAction.Resolve, "anthropic:*:incident")], ending.Select(e => (e.Action, e.Alert.Key)));
        Assert.Empty(straggling);
        Assert.Empty(closed);
    }

    [Fact]
    public void PerModelAlert_IsSentAfterTheGroupWait_WhenNoIncidentForms()
    {
        var tracker = new AlertTracker(new AlertSettings(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30)));
        var open = AlertCondition.TargetOpen(Sonnet, "open");

        Assert.Empty(tracker.Evaluate([open], _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(tracker.Evaluate([open], _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(1));

        var trigger = Assert.Single(tracker.Evaluate([open], _time.GetUtcNow()));
        Assert.Equal(("anthropic:sonnet:open", AlertSeverity.Error), (trigger.Alert.Key, trigger.Alert.Severity));
    }

    [Fact]
    public void SuppressedConditionThatClears_IsNeverResolved()
    {
        var tracker = new AlertTracker(new AlertSettings(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30)));
        tracker.Evaluate([AlertCondition.TargetOpen(Sonnet, "open")], _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Empty(tracker.Evaluate([], _time.GetUtcNow()));
    }

    [Fact]
    public void FlappingTarget_TriggersAtMostOncePerPeriod_AndAgainIfStillTrueWhenThePeriodEnds()
    {
        var tracker = new AlertTracker(new AlertSettings(TimeSpan.FromMinutes(5), TimeSpan.Zero));
        var open = AlertCondition.TargetOpen(Gpt, "open");
        var triggers = new List<DateTimeOffset>();
        var resolves = 0;

        // Open and close every 20 s for 4 minutes: one trigger, one resolve.
        for (var i = 0; i < 12; i++)
        {
            foreach (var e in tracker.Evaluate(i % 2 == 0 ? [open] : [], _time.GetUtcNow()))
            {
                if (e.Action == AlertAction.Trigger)
                {
                    triggers.Add(e.At);
                }
                else
                {
                    resolves++;
                }
            }

            _time.Advance(TimeSpan.FromSeconds(20));
        }

        Assert.Equal([TestData.T0], triggers);
        Assert.Equal(1, resolves);

        // Still open when the period since the trigger ends: sent then, not lost.
        Assert.Empty(tracker.Evaluate([open], _time.GetUtcNow()));
        _time.Advance(TestData.T0 + TimeSpan.FromMinutes(5) - _time.GetUtcNow());
        var late = Assert.Single(tracker.Evaluate([open], _time.GetUtcNow()));
        Assert.Equal(AlertAction.Trigger, late.Action);
    }

    [Fact]
    public void RestoredActiveAlert_IsNotTriggeredAgain_ButIsResolved()
    {
        var open = AlertCondition.TargetOpen(Gpt, "open");
        var tracker = new AlertTracker(new AlertSettings(TimeSpan.FromMinutes(10), TimeSpan.Zero));
        tracker.Restore([new AlertKeyState(open, Active: true, LastTriggeredAt: TestData.T0 - TimeSpan.FromMinutes(1))]);

        Assert.Empty(tracker.Evaluate([open], _time.GetUtcNow()));
        Assert.Equal(AlertAction.Resolve, Assert.Single(tracker.Evaluate([], _time.GetUtcNow())).Action);
    }

    [Fact]
    public void RestoredRecentTrigger_StillCountsForFlapping()
    {
        var open = AlertCondition.TargetOpen(Gpt, "open");
        var tracker = new AlertTracker(new AlertSettings(TimeSpan.FromMinutes(10), TimeSpan.Zero));
        tracker.Restore([new AlertKeyState(open, Active: false, LastTriggeredAt: TestData.T0 - TimeSpan.FromMinutes(1))]);

        Assert.Empty(tracker.Evaluate([open], _time.GetUtcNow()));
    }

    [Fact]
    public void Severities_FollowTheKind()
    {
        Assert.Equal(AlertSeverity.Critical, AlertCondition.Incident("p", "s").Severity);
        Assert.Equal(AlertSeverity.Critical, AlertCondition.Panic("r", "s").Severity);
        Assert.Equal(AlertSeverity.Error, AlertCondition.TargetOpen(Gpt, "s").Severity);
        Assert.Equal(AlertSeverity.Error, AlertCondition.ForTarget(Gpt, AlertKind.Misconfiguration, "s").Severity);
        Assert.Equal(AlertSeverity.Warning, AlertCondition.ForTarget(Gpt, AlertKind.QuotaExhausted, "s").Severity);
        Assert.Equal(AlertSeverity.Warning, AlertCondition.ForTarget(Gpt, AlertKind.ProbesStalled, "s").Severity);
        Assert.Equal(AlertSeverity.Warning, AlertCondition.StaleSubscriber("s", "s").Severity);
        Assert.Equal("route:chat:panic", AlertCondition.Panic("chat", "s").Key);
        Assert.Equal("openai:gpt:quota", AlertCondition.ForTarget(Gpt, AlertKind.QuotaExhausted, "s").Key);
    }

    private static TargetDefinition Target(string provider, string model) =>
        new(TargetId.For(provider, model), provider, model, TestData.Probe());
}
