using System.Text.Json.Nodes;
using ControlPlane.Contracts.Tests.Schemas;

namespace ControlPlane.Contracts.Tests.Messages;

public sealed class RouteCacheTests
{
    private static readonly RouteCache Cache = new() { Mode = CacheModes.StaleIfError, TtlMs = 300_000, AllowTemperature = false, ShareAcrossKeys = true };

    [Fact]
    public void Json_WithoutACache_HasNoCacheProperty()
    {
        // Tables without caches keep the bytes they had before caches existed.
        var route = JsonNode.Parse(ContractsJson.Serialize(TestMessages.Unsigned()))!["table"]!["routes"]![0]!.AsObject();

        Assert.False(route.ContainsKey("cache"));
    }

    [Fact]
    public void Json_WithACache_RoundTripsSignsAndConformsToTheSchema()
    {
        using var key = TestMessages.NewKey();
        var signed = new RoutingTableSigner(key, "k1").Sign(WithCache(TestMessages.Unsigned(), Cache));
        var bytes = ContractsJson.Serialize(signed);
        var verifier = new RoutingTableVerifier(new Dictionary<string, System.Security.Cryptography.ECDsa> { ["k1"] = key });

        var cache = JsonNode.Parse(bytes)!["table"]!["routes"]![0]!["cache"]!;
        Assert.Equal("""{"mode":"stale-if-error","ttlMs":300000,"allowTemperature":false,"shareAcrossKeys":true}""", cache.ToJsonString());
        Assert.Equal(Cache, ContractsJson.DeserializeRoutingTableChanged(bytes).Table.Routes[0].Cache);
        Assert.Empty(new MiniSchemaValidator(Docs()).Validate("routing-table-changed.schema.json", JsonNode.Parse(bytes)));
        Assert.Equal(VerificationResult.Valid, verifier.Verify(bytes).Result);
    }

    [Fact]
    public void Signature_CoversTheCache()
    {
        using var key = TestMessages.NewKey();
        var bytes = ContractsJson.Serialize(new RoutingTableSigner(key, "k1").Sign(WithCache(TestMessages.Unsigned(), Cache)));
        var verifier = new RoutingTableVerifier(new Dictionary<string, System.Security.Cryptography.ECDsa> { ["k1"] = key });
        var json = JsonNode.Parse(bytes)!;

        json["table"]!["routes"]![0]!["cache"]!["shareAcrossKeys"] = false;

        Assert.Equal(VerificationResult.BadSignature, verifier.Verify(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())).Result);
    }

    [Theory]
    [InlineData("mode", "\"sometimes\"")]
    [InlineData("ttlMs", "0")]
    [InlineData("ttlMs", "1.5")]
    [InlineData("allowTemperature", "\"yes\"")]
    public void Schema_RejectsABadCache(string field, string value)
    {
        var json = JsonNode.Parse(ContractsJson.Serialize(WithCache(TestMessages.Unsigned(), Cache)))!;
        json["table"]!["routes"]![0]!["cache"]![field] = JsonNode.Parse(value);

        Assert.NotEmpty(new MiniSchemaValidator(Docs()).Validate("routing-table-changed.schema.json", json));
    }

    private static string Docs() => Path.Combine(TestMessages.RepositoryRoot(), "docs", "schemas");

    private static RoutingTableChanged WithCache(RoutingTableChanged message, RouteCache cache) =>
        message with { Table = new RoutingTable { Routes = [message.Table.Routes[0] with { Cache = cache }] } };
}
