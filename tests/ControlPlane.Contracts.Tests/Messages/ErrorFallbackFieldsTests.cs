using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Contracts.Tests.Schemas;

namespace ControlPlane.Contracts.Tests.Messages;

/// <summary>The additive fields of issue #15 (contextWindow, onContentPolicy, retryAfterUntil): absent when unset, schema-valid when set.</summary>
public sealed class ErrorFallbackFieldsTests
{
    private static readonly string Docs = Path.Combine(TestMessages.RepositoryRoot(), "docs", "schemas");

    [Fact]
    public void RoutingTable_WithoutTheFields_OmitsThem()
    {
        var json = Encoding.UTF8.GetString(ContractsJson.Serialize(TestMessages.Unsigned()));

        Assert.DoesNotContain("contextWindow", json, StringComparison.Ordinal);
        Assert.DoesNotContain("onContentPolicy", json, StringComparison.Ordinal);
    }

    [Fact]
    public void RoutingTable_WithTheFields_CarriesThemAndConformsToTheSchema()
    {
        var unsigned = TestMessages.Unsigned();
        var route = unsigned.Table.Routes[0];
        var withFields = unsigned with
        {
            Table = new RoutingTable
            {
                Routes =
                [
                    route with
                    {
                        OnContentPolicy = ContentPolicyRules.NextTarget,
                        Tiers = [new TierEntry { Targets = [route.Tiers[0].Targets[0] with { ContextWindow = 200_000 }] }],
                    },
                ],
            },
        };

        using var key = TestMessages.NewKey();
        var signed = new RoutingTableSigner(key, "k1").Sign(withFields);
        var node = JsonNode.Parse(ContractsJson.Serialize(signed))!;

        Assert.Equal("next-target", (string)node["table"]!["routes"]![0]!["onContentPolicy"]!);
        Assert.Equal(200_000, (int)node["table"]!["routes"]![0]!["tiers"]![0]!["targets"]![0]!["contextWindow"]!);
        Assert.Empty(new MiniSchemaValidator(Docs).Validate("routing-table-changed.schema.json", node));
        Assert.Equal(200_000, ContractsJson.DeserializeRoutingTableChanged(Encoding.UTF8.GetBytes(node.ToJsonString())).Table.Routes[0].Tiers[0].Targets[0].ContextWindow);
    }

    [Fact]
    public void TrafficReport_RetryAfterUntil_OmittedWhenNone_RoundTripsWhenSet()
    {
        var until = new DateTimeOffset(2025, 6, 1, 12, 0, 21, TimeSpan.Zero);
        var report = new TrafficReport
        {
            ReporterId = "g",
            WindowStart = DateTimeOffset.UnixEpoch,
            WindowEnd = DateTimeOffset.UnixEpoch,
            Targets =
            [
                new TargetTraffic { Target = "a/m", Outcomes = new Dictionary<string, int> { ["success"] = 1 } },
                new TargetTraffic { Target = "b/m", Outcomes = new Dictionary<string, int> { ["rate_limited"] = 1 }, RetryAfterUntil = until },
            ],
        };

        var bytes = ContractsJson.Serialize(report);
        var node = JsonNode.Parse(bytes)!;

        Assert.False(node["targets"]![0]!.AsObject().ContainsKey("retryAfterUntil"));
        Assert.Empty(new MiniSchemaValidator(Docs).Validate("traffic-report.schema.json", node));
        Assert.Equal(until, ContractsJson.DeserializeTrafficReport(bytes).Targets[1].RetryAfterUntil);
    }
}
