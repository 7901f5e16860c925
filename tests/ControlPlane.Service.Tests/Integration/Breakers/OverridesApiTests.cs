using System.Net;
using System.Text.Json;
using Xunit;

namespace ControlPlane.Service.Tests.Integration.Breakers;

/// <summary>
/// Operator overrides through the real API, against healthy providers: every route change here is caused by an
/// override alone, and the stored routing table is what proves it took (and stopped taking) effect.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class OverridesApiTests(OverridesFixture fixture) : IClassFixture<OverridesFixture>
{
    [Fact]
    public async Task DrainTarget_MovesTheRouteToTierOne_AndCancellingItMovesItBack()
    {
        var route = OverridesFixture.Drain;
        await fixture.UntilRouteAsync(route.Id, r => r.ActiveTier == 0, "healthy targets start on tier 0");

        var created = await fixture.CreateOverrideAsync(new
        {
            kind = "drain-target", target = route.Primary, reason = "INC-1234: elevated 529s seen by users", ttl = "00:30:00",
        });
        Assert.Equal("oncall", created.GetProperty("createdBy").GetString());
        Assert.Equal("oncall", created.GetProperty("owner").GetString());
        var id = created.GetProperty("id").GetString()!;

        RouteView? drained = null;
        await fixture.UntilRouteAsync(route.Id, r => (drained = r).ActiveTier == 1, "the drained primary is taken out of the route");
        Assert.False(drained!.Target(route.Primary).Eligible);
        Assert.Equal("closed", drained.Target(route.Primary).State); // the breaker itself never moved

        using var cancel = await fixture.Operate.DeleteAsync(new Uri($"api/overrides/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        using (var cancelled = JsonDocument.Parse(await cancel.Content.ReadAsStringAsync()))
        {
            Assert.Equal("oncall", cancelled.RootElement.GetProperty("cancelledBy").GetString());
        }

        RouteView? restored = null;
        await fixture.UntilRouteAsync(route.Id, r => (restored = r).ActiveTier == 0, "cancelling the drain puts the primary back");
        Assert.True(restored!.Version > drained.Version);

        // A second DELETE changes nothing and is not audited as another cancellation.
        using (var again = await fixture.Operate.DeleteAsync(new Uri($"api/overrides/{id}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        var audit = await AuditAsync(fixture.Anonymous, id);
        Assert.Equal(["override.create", "override.cancel"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal("oncall", a.Actor));
        Assert.Equal("drain-target", audit[0].Details.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task ShortTtl_ExpiresOnItsOwn()
    {
        var route = OverridesFixture.Ttl;
        await fixture.UntilRouteAsync(route.Id, r => r.ActiveTier == 0, "healthy targets start on tier 0");

        var created = await fixture.CreateOverrideAsync(new { kind = "drain-target", target = route.Primary, reason = "short drain", ttl = "00:00:03" });
        var expiresAt = created.GetProperty("expiresAt").GetDateTimeOffset();

        await fixture.UntilRouteAsync(route.Id, r => r.ActiveTier == 1, "the drain takes effect");
        RouteView? back = null;
        await fixture.UntilRouteAsync(route.Id, r => (back = r).ActiveTier == 0, "the drain expires without any API call");

        var versions = await OperationsReader.VersionsAsync(fixture.Anonymous);
        Assert.True(versions.Single(v => v.Version == back!.Version).CreatedAt >= expiresAt.AddMilliseconds(-1), "the route came back at expiry, not before");
        var audit = await AuditAsync(fixture.Anonymous, created.GetProperty("id").GetString()!);
        Assert.Equal(["override.create"], audit.Select(a => a.Action)); // expiry is not a cancellation

        using var list = JsonDocument.Parse(await fixture.Anonymous.GetStringAsync(new Uri("api/overrides", UriKind.Relative)));
        var listed = list.RootElement.EnumerateArray().Single(o => o.GetProperty("id").GetString() == created.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("cancelledAt").ValueKind);
    }

    [Fact]
    public async Task PinRoute_SendsEverythingToTheTierOneTarget()
    {
        var route = OverridesFixture.Pin;
        await fixture.UntilRouteAsync(route.Id, r => r.ActiveTier == 0, "healthy targets start on tier 0");

        var created = await fixture.CreateOverrideAsync(new
        {
            kind = "pin-route", route = route.Id, target = route.Secondary, reason = "load test against the fallback", ttl = "00:10:00",
        });

        RouteView? pinned = null;
        await fixture.UntilRouteAsync(route.Id, r => (pinned = r).PinnedTarget == route.Secondary, "the route is pinned");
        Assert.Equal(1, pinned!.ActiveTier);
        Assert.True(pinned.Target(route.Secondary).Weight > 0);
        Assert.Equal("closed", pinned.Target(route.Primary).State);

        using var cancel = await fixture.Operate.DeleteAsync(new Uri($"api/overrides/{created.GetProperty("id").GetString()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await fixture.UntilRouteAsync(route.Id, r => r is { PinnedTarget: null, ActiveTier: 0 }, "unpinned, the route is back on tier 0");
    }

    [Fact]
    public async Task DrainProvider_TakesEveryTargetOfTheProviderOut()
    {
        var route = OverridesFixture.ProviderDrain;
        await fixture.UntilRouteAsync(route.Id, r => r.ActiveTier == 0, "healthy targets start on tier 0");

        var created = await fixture.CreateOverrideAsync(new
        {
            kind = "drain-provider", provider = route.PrimaryProvider, reason = "provider status page: degraded", ttl = "00:10:00",
        });
        Assert.Equal(route.PrimaryProvider, created.GetProperty("provider").GetString());

        await fixture.UntilRouteAsync(route.Id, r => r.ActiveTier == 1 && !r.Target(route.Primary).Eligible, "the provider's target is drained");

        // Only that provider: the same kind of target on another provider stays in rotation.
        Assert.True((await fixture.RouteAsync(OverridesFixture.Ttl.Id)).Target(OverridesFixture.Ttl.Primary).Eligible);

        using var cancel = await fixture.Operate.DeleteAsync(new Uri($"api/overrides/{created.GetProperty("id").GetString()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await fixture.UntilRouteAsync(route.Id, r => r.ActiveTier == 0, "the provider drain is cancelled");
    }

    [Fact]
    public async Task MaintenanceWindow_TakesEffectAtItsStart_AndEndsAtItsEnd()
    {
        var route = OverridesFixture.Maintenance;
        await fixture.UntilRouteAsync(route.Id, r => r.ActiveTier == 0, "healthy targets start on tier 0");

        // Whole milliseconds: Postgres keeps microseconds, and the comparisons below must not depend on rounding.
        var now = DateTimeOffset.UtcNow;
        var startsAt = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero).AddSeconds(5);
        var endsAt = startsAt.AddSeconds(5);
        var created = await fixture.CreateOverrideAsync(new
        {
            kind = "maintenance", target = route.Primary, reason = "planned key rotation", startsAt, endsAt,
        });
        Assert.Equal(startsAt, created.GetProperty("startsAt").GetDateTimeOffset());
        Assert.Equal(endsAt, created.GetProperty("expiresAt").GetDateTimeOffset());

        RouteView? during = null;
        await fixture.UntilRouteAsync(route.Id, r => (during = r).ActiveTier == 1, "the window starts");
        RouteView? after = null;
        await fixture.UntilRouteAsync(route.Id, r => (after = r).ActiveTier == 0, "the window ends");

        var versions = await OperationsReader.VersionsAsync(fixture.Anonymous);
        Assert.True(versions.Single(v => v.Version == during!.Version).CreatedAt >= startsAt, "not drained before the window started");
        Assert.True(versions.Single(v => v.Version == after!.Version).CreatedAt >= endsAt, "not restored before the window ended");
    }

    [Fact]
    public async Task Reads_AreOpenWithoutAKey_ByDefault()
    {
        using var breakers = await fixture.Anonymous.GetAsync(new Uri("api/breakers", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, breakers.StatusCode);
        using var overrides = await fixture.Anonymous.GetAsync(new Uri("api/overrides", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, overrides.StatusCode);
    }

    private static async Task<IReadOnlyList<(string Action, string Actor, JsonElement Details)>> AuditAsync(HttpClient http, string subject)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/audit", UriKind.Relative)));
        return document.RootElement.EnumerateArray()
            .Where(a => a.GetProperty("subject").GetString() == subject)
            .Select(a => (a.GetProperty("action").GetString()!, a.GetProperty("actor").GetString()!, a.GetProperty("details").Clone()))
            .ToList();
    }
}
