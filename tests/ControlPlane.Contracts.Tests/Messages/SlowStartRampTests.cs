using System.Text.Json.Nodes;
using ControlPlane.Contracts;
using ControlPlane.Contracts.Tests.Schemas;

namespace ControlPlane.Contracts.Tests.Messages;

public sealed class SlowStartRampTests
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    // The breaker's defaults: 60 s from a 10 % floor in 10 steps.
    private static readonly SlowStartEntry Ramp = SlowStartRamp.Create(T0, TimeSpan.FromSeconds(60), 0.1, 10);

    [Fact]
    public void Create_WritesTheRampInWireUnits()
    {
        Assert.Equal(new SlowStartEntry { StartedAt = T0, DurationMs = 60_000, FloorMilli = 100, Steps = 10 }, Ramp);
    }

    // The values the breaker's own ramp produced before the ramp moved into the table: floor + (1 − floor) × step / 10,
    // the step changing every 6 s and never between.
    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(5_999, 0.1)]
    [InlineData(6_000, 0.19)]
    [InlineData(11_999, 0.19)]
    [InlineData(12_000, 0.28)]
    [InlineData(30_000, 0.55)]
    [InlineData(54_000, 0.91)]
    [InlineData(59_999, 0.91)]
    [InlineData(60_000, 1)]
    [InlineData(3_600_000, 1)]
    public void Factor_StepsFromTheFloorToFull(int elapsedMs, double expected)
    {
        Assert.Equal(expected, SlowStartRamp.Factor(Ramp, T0.AddMilliseconds(elapsedMs)), 12);
    }

    [Fact]
    public void Factor_StepBoundariesLandExactly()
    {
        // Each step begins exactly at k × duration / steps: no boundary is lost to floating-point rounding.
        for (var k = 0; k < 10; k++)
        {
            Assert.Equal(0.1 + (0.9 * k / 10), SlowStartRamp.Factor(Ramp, T0.AddMilliseconds(k * 6_000)), 12);
            Assert.Equal(0.1 + (0.9 * Math.Max(0, k - 1) / 10), SlowStartRamp.Factor(Ramp, T0.AddMilliseconds((k * 6_000) - 1)), 12);
        }
    }

    [Fact]
    public void Factor_ClockBehindTheStart_HoldsTheFloor()
    {
        // A subscriber whose clock is behind the control plane's sees a start in its future: progress clamps at 0.
        Assert.Equal(0.1, SlowStartRamp.Factor(Ramp, T0.AddSeconds(-30)), 12);
        Assert.Equal(10, SlowStartRamp.Weight(100, Ramp, T0.AddHours(-1)));
    }

    [Fact]
    public void Factor_WithoutARampOrWithAnEmptyOne_IsOne()
    {
        Assert.Equal(1, SlowStartRamp.Factor(null, T0));
        Assert.Equal(1, SlowStartRamp.Factor(Ramp with { DurationMs = 0 }, T0));
        Assert.True(SlowStartRamp.IsOver(Ramp with { DurationMs = 0 }, T0.AddSeconds(-1)));
    }

    [Fact]
    public void Factor_OutOfRangeFloorAndSteps_AreClamped()
    {
        Assert.Equal(1, SlowStartRamp.Factor(Ramp with { FloorMilli = 5_000 }, T0));
        Assert.Equal(0, SlowStartRamp.Factor(Ramp with { FloorMilli = -5 }, T0));
        Assert.Equal(0.1, SlowStartRamp.Factor(Ramp with { Steps = 0 }, T0.AddSeconds(59)), 12);
    }

    [Theory]
    [InlineData(100, 0, 10)]
    [InlineData(100, 30_000, 55)]
    [InlineData(100, 60_000, 100)]
    [InlineData(300, 6_000, 57)]
    [InlineData(5, 0, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(0, 30_000, 0)]
    public void Weight_IsTheFullWeightTimesTheFactor_RoundedAndAtLeastOne(int full, int elapsedMs, int expected)
    {
        Assert.Equal(expected, SlowStartRamp.Weight(full, Ramp, T0.AddMilliseconds(elapsedMs)));
    }

    [Fact]
    public void Weight_WithoutARamp_IsTheTableWeight()
    {
        Assert.Equal(300, SlowStartRamp.Weight(300, null, T0));
    }

    [Fact]
    public void IsOver_FromTheEndOn()
    {
        Assert.Equal(T0.AddSeconds(60), SlowStartRamp.EndsAt(Ramp));
        Assert.False(SlowStartRamp.IsOver(Ramp, T0.AddMilliseconds(59_999)));
        Assert.True(SlowStartRamp.IsOver(Ramp, T0.AddSeconds(60)));
        Assert.True(SlowStartRamp.IsOver(null, T0));
    }

    [Fact]
    public void Json_WithoutARamp_HasNoSlowStartProperty()
    {
        // Tables without ramps keep the bytes they had before ramps existed.
        var json = JsonNode.Parse(ContractsJson.Serialize(TestMessages.Unsigned()))!;

        var target = json["table"]!["routes"]![0]!["tiers"]![0]!["targets"]![0]!.AsObject();

        Assert.False(target.ContainsKey("slowStart"));
    }

    [Fact]
    public void Json_WithARamp_RoundTripsSignsAndConformsToTheSchema()
    {
        var message = WithRamp(TestMessages.Unsigned());
        using var key = TestMessages.NewKey();
        var signed = new RoutingTableSigner(key, "k1").Sign(message);
        var bytes = ContractsJson.Serialize(signed);
        var verifier = new RoutingTableVerifier(new Dictionary<string, System.Security.Cryptography.ECDsa> { ["k1"] = key });

        var ramp = JsonNode.Parse(bytes)!["table"]!["routes"]![0]!["tiers"]![0]!["targets"]![1]!["slowStart"]!;
        Assert.Equal("""{"startedAt":"2025-06-01T12:00:00.0000000Z","durationMs":60000,"floorMilli":100,"steps":10}""", ramp.ToJsonString());
        Assert.Equal(Ramp, ContractsJson.DeserializeRoutingTableChanged(bytes).Table.Routes[0].Tiers[0].Targets[1].SlowStart);
        Assert.Empty(new MiniSchemaValidator(Docs()).Validate("routing-table-changed.schema.json", JsonNode.Parse(bytes)));
        Assert.Equal(VerificationResult.Valid, verifier.Verify(bytes).Result);
    }

    [Fact]
    public void Schema_RejectsAFractionalFloor()
    {
        var json = JsonNode.Parse(ContractsJson.Serialize(WithRamp(TestMessages.Unsigned())))!;
        json["table"]!["routes"]![0]!["tiers"]![0]!["targets"]![1]!["slowStart"]!["floorMilli"] = 0.5;

        Assert.NotEmpty(new MiniSchemaValidator(Docs()).Validate("routing-table-changed.schema.json", json));
    }

    private static string Docs() => Path.Combine(TestMessages.RepositoryRoot(), "docs", "schemas");

    private static RoutingTableChanged WithRamp(RoutingTableChanged message)
    {
        var route = message.Table.Routes[0];
        var targets = route.Tiers[0].Targets.ToList();
        targets[1] = targets[1] with { SlowStart = Ramp };
        return message with { Table = new RoutingTable { Routes = [route with { Tiers = [new TierEntry { Targets = targets }] }] } };
    }
}
