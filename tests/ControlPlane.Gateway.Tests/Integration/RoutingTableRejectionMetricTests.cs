using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Contracts;
using ControlPlane.Testing;
using RabbitMQ.Client;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// Forged tables published straight onto the routing-table exchange, as anyone with broker access could: the gateway
/// rejects them, keeps its table, and counts each under a label of the closed set on its own /metrics — never under
/// the forger's key id or any other text it chose.
/// </summary>
[Collection(GatewayStackCollection.Name)]
public sealed class RoutingTableRejectionMetricTests(GatewayStack stack)
{
    private const string Metric = "gateway_routing_table_rejections_total";

    [Fact]
    public async Task ForgedTables_RaiseTheGatewaysRejectionCounter_UnderClosedLabelsOnly()
    {
        await stack.Stack.UntilAsync(async () => await GatewayStack.GatewayVersionAsync(stack.Gateway) > 0, "the gateway holds a table");
        var held = await GatewayStack.GatewayVersionAsync(stack.Gateway);
        var real = (await stack.TableAsync())!;
        var before = await RejectionsAsync();

        // A real table re-labelled with a newer version: the signature no longer matches (bad-signature).
        var relabelled = JsonNode.Parse(ContractsJson.Serialize(real))!;
        relabelled["version"] = real.Version + 1_000;
        // The same, claiming a key id of the forger's choosing (unknown-key-id): the id must not become a label.
        var foreignKey = JsonNode.Parse(ContractsJson.Serialize(real))!;
        foreignKey["version"] = real.Version + 2_000;
        foreignKey["keyId"] = "attacker-key-0001";

        await PublishAsync(Encoding.UTF8.GetBytes(relabelled.ToJsonString()));
        await PublishAsync(Encoding.UTF8.GetBytes(foreignKey.ToJsonString()));
        await PublishAsync("{\"version\": \"attacker text\""u8.ToArray());

        IReadOnlyDictionary<string, double> after = before;
        await stack.Stack.UntilAsync(async () =>
        {
            after = await RejectionsAsync();
            return Delta(RejectionReasons.BadSignature) >= 1 && Delta(RejectionReasons.UnknownKeyId) >= 1 && Delta(RejectionReasons.Malformed) >= 1;
        }, "the gateway counts the three forged tables");

        Assert.Equal(1, Delta(RejectionReasons.BadSignature));
        Assert.Equal(1, Delta(RejectionReasons.UnknownKeyId));
        Assert.Equal(1, Delta(RejectionReasons.Malformed));
        Assert.Equal(RejectionReasons.All.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(held, await GatewayStack.GatewayVersionAsync(stack.Gateway));

        double Delta(string reason) => after.GetValueOrDefault(reason) - before.GetValueOrDefault(reason);
    }

    private async Task<IReadOnlyDictionary<string, double>> RejectionsAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await PrometheusText.ScrapeAsync(http, stack.Gateway.BaseUrl);
        return metrics.Samples.Where(s => s.Name == Metric).ToDictionary(s => s.Labels["reason"], s => s.Value, StringComparer.Ordinal);
    }

    private async Task PublishAsync(byte[] body)
    {
        var factory = new ConnectionFactory { Uri = new Uri(stack.Stack.RabbitMqUri) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties { ContentType = MessageTypes.ContentType, Type = MessageTypes.RoutingTableChanged };
        await channel.BasicPublishAsync(Exchanges.RoutingTable, "", false, properties, body);
    }
}
