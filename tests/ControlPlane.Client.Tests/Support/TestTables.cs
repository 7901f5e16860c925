using System.Security.Cryptography;
using ControlPlane.Contracts;

namespace ControlPlane.Client.Tests.Support;

/// <summary>A test signing key and signed routing tables.</summary>
internal sealed class TestTables : IDisposable
{
    public const string KeyId = "test-key";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestTables()
    {
        Signer = new RoutingTableSigner(_key, KeyId);
        PublicKeyPem = _key.ExportSubjectPublicKeyInfoPem();
    }

    public RoutingTableSigner Signer { get; }

    public string PublicKeyPem { get; }

    public RoutingTableVerifier Verifier() => RoutingTableVerifier.FromPem(new Dictionary<string, string> { [KeyId] = PublicKeyPem });

    public RoutingTableChanged Signed(long version, RoutingTable? table = null, DateTimeOffset? issuedAt = null) =>
        Signer.Sign(new RoutingTableChanged
        {
            Version = version,
            PreviousVersion = version > 1 ? version - 1 : null,
            IssuedAt = issuedAt ?? DateTimeOffset.UnixEpoch.AddDays(20000).AddSeconds(version),
            Table = table ?? DefaultTable(),
            Changes = [],
            KeyId = "",
            Signature = "",
        });

    public byte[] Json(long version, RoutingTable? table = null, DateTimeOffset? issuedAt = null) =>
        ContractsJson.Serialize(Signed(version, table, issuedAt));

    /// <summary>Valid JSON and a real signature, but the content changed after signing.</summary>
    public byte[] Tampered(long version) =>
        ContractsJson.Serialize(Signed(version) with { Table = Table(Route("chat-default", 0, Tier(Target("evil/model", 100)))) });

    /// <summary>Properly signed, by a key nobody trusts.</summary>
    public static byte[] SignedByUnknownKey(long version)
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var tables = new TestTables();
        var message = new RoutingTableSigner(other, "rogue-key").Sign(tables.Signed(version));
        return ContractsJson.Serialize(message);
    }

    public static RoutingTable DefaultTable() => Table(
        Route("chat-default", 0,
            Tier(Target("anthropic/claude-sonnet-4-5", 300), Target("openai/gpt-4.1", 100)),
            Tier(Target("gemini/gemini-2.5-pro", 100))));

    public static RoutingTable Table(params RouteEntry[] routes) => new() { Routes = routes };

    public static RouteEntry Route(string route, int? activeTier, params TierEntry[] tiers) => new()
    {
        Route = route,
        PanicPolicy = PanicPolicies.FailOpen,
        Panic = false,
        ActiveTier = activeTier,
        Tiers = tiers,
    };

    public static TierEntry Tier(params TargetEntry[] targets) => new() { Targets = targets };

    public static TargetEntry Target(string id, int weight, string? state = null) => new()
    {
        Target = id,
        Provider = id.Split('/')[0],
        Model = id.Split('/')[1],
        Weight = weight,
        Eligible = weight > 0,
        State = state ?? (weight > 0 ? TargetStates.Closed : TargetStates.Open),
    };

    public void Dispose() => _key.Dispose();
}
