using System.Security.Cryptography;
using ControlPlane.Client;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Degradation;
using ControlPlane.Gateway.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Degradation;

/// <summary>The gateway obeys the table's per-class decision: serve among some tiers, shed at once, or hold for a new table.</summary>
public sealed class DegradationGateTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(2);

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly FakeTimeProvider _time = new(T0);
    private readonly RoutingTableStore _store;
    private long _version;

    public DegradationGateTests() =>
        _store = new RoutingTableStore(
            RoutingTableVerifier.FromPem(new Dictionary<string, string> { ["k"] = _key.ExportSubjectPublicKeyInfoPem() }), _time);

    public void Dispose() => _key.Dispose();

    private DegradationGate Gate(int maxHeld = 4) =>
        new(_store, new RouteSelector(_store, _time), Options.Create(new GatewayOptions { Degradation = new() { MaxHeldRequests = maxHeld } }), _time);

    private void Publish(string state, DateTimeOffset? retryAt = null, bool withProfile = true)
    {
        var normal = state == DegradationStates.Normal;
        var route = new RouteEntry
        {
            Route = "chat",
            Aliases = ["claude-*"],
            PanicPolicy = PanicPolicies.FailOpen,
            Panic = false,
            ActiveTier = normal ? 0 : 1,
            Tiers =
            [
                new TierEntry { Targets = [Target("anthropic/claude", normal)] },
                new TierEntry { Targets = [Target("local/llama", eligible: true)] },
            ],
            Degradation = withProfile
                ? new DegradationEntry
                {
                    State = state,
                    DefaultClass = "standard",
                    HoldTimeoutMs = 30_000,
                    ShedStatus = 429,
                    RetryAt = retryAt,
                    Classes =
                    [
                        new ClassEntry { Class = "background", Action = normal ? "serve" : "shed", Tiers = [0, 1] },
                        new ClassEntry { Class = "needs-primary", Action = normal ? "serve" : "hold", Tiers = [0] },
                        new ClassEntry { Class = "standard", Action = "serve", Tiers = [0, 1] },
                    ],
                }
                : null,
        };
        var message = new RoutingTableSigner(_key, "k").Sign(new RoutingTableChanged
        {
            Version = ++_version,
            PreviousVersion = _version > 1 ? _version - 1 : null,
            IssuedAt = _time.GetUtcNow(),
            Table = new RoutingTable { Routes = [route] },
            Changes = [],
            KeyId = "",
            Signature = "",
        });
        Assert.Equal(ApplyOutcome.Applied, _store.Offer(ContractsJson.Serialize(message), TableSource.Broker).Outcome);
    }

    private static TargetEntry Target(string id, bool eligible) => new()
    {
        Target = id,
        Provider = id.Split('/')[0],
        Model = id.Split('/')[1],
        Weight = eligible ? 100 : 0,
        Eligible = eligible,
        State = eligible ? TargetStates.Closed : TargetStates.Open,
    };

    [Fact]
    public async Task Serve_NamesTheClassTiers_AndTheDefaultClassAppliesWhenNoneIsAsked()
    {
        Publish(DegradationStates.Degraded);

        var admission = await Gate().AdmitAsync("claude-opus-4", requested: null, Budget, default);

        Assert.Null(admission.Refusal);
        Assert.Equal(("chat", "standard"), (admission.Route, admission.Class));
        Assert.Equal([0, 1], admission.Tiers);
        Assert.False(admission.Allows(2));
    }

    [Fact]
    public async Task Shed_IsRefusedAtOnce_WithTheProfilesStatus_AndRetryAfterUntilTheBreakEnds()
    {
        Publish(DegradationStates.Degraded, retryAt: T0.AddSeconds(7.2));

        var admission = await Gate().AdmitAsync("chat", "background", Budget, default);

        var fault = Assert.IsType<Gateway.Translation.ApiFault>(admission.Refusal);
        Assert.Equal((429, "route_shedding", 8), (fault.Status, fault.Code, fault.RetryAfterSeconds));
        Assert.Contains("sheds 'background' requests", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownClass_IsABadRequestNamingTheRoutesClasses()
    {
        Publish(DegradationStates.Normal);

        var admission = await Gate().AdmitAsync("chat", "vip", Budget, default);

        Assert.Equal(400, admission.Refusal!.Status);
        Assert.Contains("background, needs-primary, standard", admission.Refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RouteWithoutProfile_IsUnrestricted_WhateverTheClass()
    {
        Publish(DegradationStates.Degraded, withProfile: false);

        var admission = await Gate().AdmitAsync("chat", "anything", Budget, default);

        Assert.Same(Admission.Unrestricted, admission);
    }

    [Fact]
    public async Task Hold_WaitsForATableThatServesTheClass_ThenGoesOnAmongItsTiers()
    {
        Publish(DegradationStates.Degraded);
        var gate = Gate();

        var held = gate.AdmitAsync("chat", "needs-primary", Budget, default);
        Assert.False(held.IsCompleted);
        Assert.Equal(1, gate.Held);

        Publish(DegradationStates.Degraded); // a new table that still holds: keeps waiting
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(held.IsCompleted);

        Publish(DegradationStates.Normal);
        var admission = await held.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(admission.Refusal);
        Assert.True(admission.Held);
        Assert.Equal([0], admission.Tiers);
        Assert.Equal(TimeSpan.FromSeconds(20), admission.SlotWait); // what is left of its 30 s hold, to wait for a slot
        Assert.Equal(0, gate.Held);
    }

    [Fact]
    public async Task Hold_PastTheDeadline_Is503WithRetryAfter()
    {
        Publish(DegradationStates.Degraded, retryAt: T0.AddSeconds(45));
        var gate = Gate();

        var held = gate.AdmitAsync("chat", "needs-primary", Budget, default);
        _time.Advance(TimeSpan.FromSeconds(30));
        var admission = await held.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((503, "hold_timeout", 15), (admission.Refusal!.Status, admission.Refusal.Code, admission.Refusal.RetryAfterSeconds));
        Assert.Equal(0, gate.Held);
    }

    [Fact]
    public async Task Hold_IsBoundedByWhatIsLeftOfTheAttemptBudget()
    {
        Publish(DegradationStates.Degraded);

        var held = Gate().AdmitAsync("chat", "needs-primary", TimeSpan.FromSeconds(5), default);
        _time.Advance(TimeSpan.FromSeconds(5));
        var admission = await held.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("hold_timeout", admission.Refusal!.Code);
    }

    [Fact]
    public async Task Hold_WhenTheQueueIsFull_IsRefusedAtOnce()
    {
        Publish(DegradationStates.Degraded);
        var gate = Gate(maxHeld: 1);
        var first = gate.AdmitAsync("chat", "needs-primary", Budget, default);

        var second = await gate.AdmitAsync("chat", "needs-primary", Budget, default);

        Assert.Equal((503, "hold_queue_full"), (second.Refusal!.Status, second.Refusal.Code));
        Assert.False(first.IsCompleted);
        Publish(DegradationStates.Normal);
        Assert.Null((await first.WaitAsync(TimeSpan.FromSeconds(30))).Refusal);
    }

    [Fact]
    public async Task Hold_EndsWhenTheClientLeaves()
    {
        Publish(DegradationStates.Degraded);
        var gate = Gate();
        using var left = new CancellationTokenSource();

        var held = gate.AdmitAsync("chat", "needs-primary", Budget, left.Token);
        await left.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, gate.Held);
    }

    [Fact]
    public async Task AwaitVerdict_WaitsForTheControlPlanesDecision_ThenObeysIt()
    {
        Publish(DegradationStates.Normal);
        var gate = Gate();
        var before = await gate.AdmitAsync("chat", "needs-primary", Budget, default);
        Assert.Equal(DegradationStates.Normal, before.State);

        var verdict = gate.AwaitVerdictAsync("chat", "needs-primary", before, Budget, default);
        Assert.False(verdict.IsCompleted);

        Publish(DegradationStates.Degraded); // the verdict: needs-primary is held now …
        var waking = System.Diagnostics.Stopwatch.StartNew();
        while (gate.Held == 0 && waking.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Yield(); // the waiter wakes on the thread pool and takes its place in the hold queue
        }

        Assert.Equal(1, gate.Held);

        Assert.False(verdict.IsCompleted);
        Publish(DegradationStates.Normal); // … until the primary tier serves again
        var admission = await verdict.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(admission.Held);
        Assert.Null(admission.Refusal);
    }

    [Fact]
    public async Task AwaitVerdict_WithNoVerdictBeforeTheHoldDeadline_AdmitsAsBefore()
    {
        Publish(DegradationStates.Normal);
        var gate = Gate();
        var before = await gate.AdmitAsync("chat", "standard", Budget, default);

        var verdict = gate.AwaitVerdictAsync("chat", "standard", before, Budget, default);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Same(before, await verdict.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
