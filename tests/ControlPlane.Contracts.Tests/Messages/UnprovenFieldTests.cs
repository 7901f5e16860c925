using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Contracts.Tests.Schemas;

namespace ControlPlane.Contracts.Tests.Messages;

/// <summary>The additive field of issue #16 (targets[].unproven): absent unless true, schema-valid, covered by the signature.</summary>
public sealed class UnprovenFieldTests
{
    private static readonly string Docs = Path.Combine(TestMessages.RepositoryRoot(), "docs", "schemas");

    [Fact]
    public void RoutingTable_WithoutUnprovenTargets_OmitsTheField()
    {
        var json = Encoding.UTF8.GetString(ContractsJson.Serialize(TestMessages.Unsigned()));

        Assert.DoesNotContain("unproven", json, StringComparison.Ordinal);
    }

    [Fact]
    public void RoutingTable_WithAnUnprovenTarget_CarriesItConformsToTheSchemaAndIsSigned()
    {
        var unsigned = TestMessages.Unsigned();
        var route = unsigned.Table.Routes[0];
        var targets = route.Tiers[0].Targets;
        var withField = unsigned with
        {
            Table = new RoutingTable
            {
                Routes =
                [
                    route with
                    {
                        Tiers = [new TierEntry { Targets = [targets[0], targets[1] with { Unproven = true, Eligible = false, Weight = 0 }] }],
                    },
                ],
            },
        };

        using var key = TestMessages.NewKey();
        var signed = new RoutingTableSigner(key, "k1").Sign(withField);
        var node = JsonNode.Parse(ContractsJson.Serialize(signed))!;
        var verifier = new RoutingTableVerifier(new Dictionary<string, System.Security.Cryptography.ECDsa> { ["k1"] = key });

        Assert.True((bool)node["table"]!["routes"]![0]!["tiers"]![0]!["targets"]![1]!["unproven"]!);
        Assert.False(node["table"]!["routes"]![0]!["tiers"]![0]!["targets"]![0]!.AsObject().ContainsKey("unproven"));
        Assert.Empty(new MiniSchemaValidator(Docs).Validate("routing-table-changed.schema.json", node));
        Assert.True(ContractsJson.DeserializeRoutingTableChanged(Encoding.UTF8.GetBytes(node.ToJsonString())).Table.Routes[0].Tiers[0].Targets[1].Unproven);
        Assert.True(verifier.Verify(ContractsJson.Serialize(signed)).IsValid);
        node["table"]!["routes"]![0]!["tiers"]![0]!["targets"]![1]!.AsObject().Remove("unproven");
        Assert.False(verifier.Verify(Encoding.UTF8.GetBytes(node.ToJsonString())).IsValid); // the flag is signed content
    }
}
