using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ControlPlane.Contracts;
using ControlPlane.Service.Tests.Integration.Breakers;
using ControlPlane.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ControlPlane.Service.Tests.Integration.Distribution;

/// <summary>
/// What the real control plane puts on the routing-table exchange, read off a queue of our own, against the table of
/// AMQP properties in docs/protocol.md (between its <c>wire:routing-table</c> markers): what the doc says is what the
/// wire carries, and nothing else (no headers, so nothing about our hosts).
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed partial class WireFormatTests : IAsyncLifetime
{
    private static readonly TestRoute Route = new("wire-route", "anthropic-wire", "openai-wire", "m1");
    private readonly PostgresDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task RoutingTableMessage_CarriesExactlyTheDocumentedAmqpProperties_AndNoHeaders()
    {
        var documented = DocumentedProperties();
        Assert.Equal(["content_type", "delivery_mode", "headers", "message_id", "timestamp", "type"], documented.Keys.Order(StringComparer.Ordinal));

        var received = new ConcurrentQueue<BasicDeliverEventArgs>();
        var factory = new ConnectionFactory { Uri = new Uri(await TestServices.RabbitMqAsync()) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchanges.RoutingTable, ExchangeType.Fanout, durable: true);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue.QueueName, Exchanges.RoutingTable, "");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // The body buffer is reused after the handler returns.
            received.Enqueue(new BasicDeliverEventArgs(
                delivery.ConsumerTag, delivery.DeliveryTag, delivery.Redelivered, delivery.Exchange, delivery.RoutingKey,
                delivery.BasicProperties, delivery.Body.ToArray()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);

        await using var stack = await ControlPlaneStack.CreateAsync(_database.ConnectionString, [Route], TimeSpan.FromSeconds(5));
        await stack.StartReplicaAsync();
        await stack.UntilAsync(() => Task.FromResult(!received.IsEmpty), "the first table reaches our queue");

        received.TryDequeue(out var message);
        var properties = message!.BasicProperties;
        var verifier = RoutingTableVerifier.FromPem(new Dictionary<string, string> { [ControlPlaneStack.SigningKeyId] = stack.Keys.PublicKeyPem });
        var verification = verifier.Verify(message.Body.Span);
        Assert.True(verification.IsValid, verification.Detail);
        var version = verification.Message!.Version;

        Assert.Equal(documented["content_type"], properties.ContentType);
        Assert.Equal(documented["type"], properties.Type);
        Assert.Equal("<version>", documented["message_id"]);
        Assert.Equal(version.ToString(CultureInfo.InvariantCulture), properties.MessageId);
        Assert.Equal(documented["delivery_mode"], ((int)properties.DeliveryMode).ToString(CultureInfo.InvariantCulture));
        Assert.Equal("none", documented["headers"]);
        Assert.True(properties.Headers is null || properties.Headers.Count == 0,
            $"unexpected headers: {string.Join(", ", properties.Headers?.Keys ?? [])}");
        Assert.True(properties.IsTimestampPresent());
        var issued = DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime);
        Assert.InRange(issued, verification.Message.IssuedAt.AddMinutes(-1), verification.Message.IssuedAt.AddMinutes(1));
        Assert.InRange(message.Body.Length, 1, ProtocolLimits.MaxMessageBytes);

        // Nothing else we could leak: correlation, reply-to, app/user ids, our machine name anywhere in the properties.
        Assert.Null(properties.CorrelationId);
        Assert.Null(properties.ReplyTo);
        Assert.Null(properties.AppId);
        Assert.Null(properties.UserId);
        // The signature is random base64: a short host name ("vm") turns up in it by chance, so it is left out, and a
        // name of one or two characters identifies nothing anyway.
        var body = System.Text.Json.Nodes.JsonNode.Parse(message.Body.Span)!.AsObject();
        body.Remove("signature");
        var unsigned = body.ToJsonString();
        if (Environment.MachineName.Length > 2)
        {
            Assert.DoesNotContain(Environment.MachineName, unsigned, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>Rows <c>| `name` | `value` | why |</c> between the markers of docs/protocol.md.</summary>
    private static Dictionary<string, string> DocumentedProperties()
    {
        var doc = File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot(), "docs", "protocol.md"));
        var start = doc.IndexOf("<!-- wire:routing-table -->", StringComparison.Ordinal);
        var end = doc.IndexOf("<!-- /wire:routing-table -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/protocol.md has no wire:routing-table section");
        return Row().Matches(doc[start..end]).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^\|\s*`(?<name>[a-z_]+)`\s*\|\s*`(?<value>[^`]*)`\s*\|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
