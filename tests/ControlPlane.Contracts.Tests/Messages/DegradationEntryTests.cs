using System.Text.Json.Nodes;
using ControlPlane.Contracts.Tests.Schemas;

namespace ControlPlane.Contracts.Tests.Messages;

/// <summary>The degradation profile on the wire: schema, round trip, byte-for-byte absence, and the one reading rule.</summary>
public sealed class DegradationEntryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    private static readonly DegradationEntry Degraded = new()
    {
        State = DegradationStates.Degraded,
        DefaultClass = "standard",
        HoldTimeoutMs = 30_000,
        ShedStatus = 503,
        RetryAt = Now.AddSeconds(4.5),
        Classes =
        [
            new ClassEntry { Class = "background", Action = ClassActions.Shed, Tiers = [0, 1] },
            new ClassEntry { Class = "needs-primary", Action = ClassActions.Hold, Tiers = [0] },
            new ClassEntry { Class = "standard", Action = ClassActions.Serve, Tiers = [0, 1] },
        ],
    };

    private static RoutingTableChanged WithProfile(DegradationEntry? profile)
    {
        var message = TestMessages.Unsigned();
        return message with
        {
            Table = new RoutingTable { Routes = [message.Table.Routes[0] with { Degradation = profile }] },
        };
    }

    [Fact]
    public void Serialized_ConformsToTheSchema_AndRoundTrips()
    {
        using var key = TestMessages.NewKey();
        var signed = new RoutingTableSigner(key, "k1").Sign(WithProfile(Degraded));
        var json = ContractsJson.Serialize(signed);

        var docs = Path.Combine(TestMessages.RepositoryRoot(), "docs", "schemas");
        Assert.Empty(new MiniSchemaValidator(docs).Validate("routing-table-changed.schema.json", JsonNode.Parse(json)));
        var read = ContractsJson.DeserializeRoutingTableChanged(json).Table.Routes[0].Degradation!;
        Assert.Equal(Degraded.RetryAt, read.RetryAt);
        Assert.Equal(["background:shed:0,1", "needs-primary:hold:0", "standard:serve:0,1"],
            read.Classes.Select(c => $"{c.Class}:{c.Action}:{string.Join(',', c.Tiers)}"));
    }

    [Fact]
    public void RouteWithoutProfile_SerializesWithoutTheProperty()
    {
        var json = System.Text.Encoding.UTF8.GetString(ContractsJson.Serialize(WithProfile(null)));

        Assert.DoesNotContain("degradation", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_ResolveTheDefaultClass_FindTheClass_AndKnowNothingWithoutAProfile()
    {
        var route = WithProfile(Degraded).Table.Routes[0];
        var plain = WithProfile(null).Table.Routes[0];

        Assert.Equal("standard", RequestClassRules.Resolve(route, requested: null));
        Assert.Equal("background", RequestClassRules.Resolve(route, "background"));
        Assert.Null(RequestClassRules.Resolve(plain, "background"));
        Assert.Equal(ClassActions.Hold, RequestClassRules.For(route, "needs-primary")!.Action);
        Assert.Null(RequestClassRules.For(route, "vip"));
        Assert.Null(RequestClassRules.For(plain, "standard"));
    }

    [Theory]
    [InlineData(4.5, 5)]
    [InlineData(0.2, 1)]
    [InlineData(-3, 1)]
    public void RetryAfter_IsTheSecondsUntilRetryAt_RoundedUp_AtLeastOne(double secondsAhead, int expected)
    {
        var profile = Degraded with { RetryAt = Now.AddSeconds(secondsAhead) };

        Assert.Equal(expected, RequestClassRules.RetryAfterSeconds(profile, Now));
        Assert.Equal(1, RequestClassRules.RetryAfterSeconds(profile with { RetryAt = null }, Now));
    }

    [Theory]
    [InlineData("needs-primary", true)]
    [InlineData("batch2", true)]
    [InlineData("", false)]
    [InlineData("Critical", false)]
    [InlineData("with space", false)]
    [InlineData("a-very-long-class-name-beyond-32c", false)]
    public void ClassNames_AreLowerCaseLettersDigitsAndDashes_UpTo32(string name, bool valid) =>
        Assert.Equal(valid, RequestClassRules.IsValidName(name));
}
