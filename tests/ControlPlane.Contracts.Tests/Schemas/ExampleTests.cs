using System.Text.Json.Nodes;
using ControlPlane.Contracts;

namespace ControlPlane.Contracts.Tests.Schemas;

public sealed class ExampleTests
{
    private static readonly string Docs = Path.Combine(TestMessages.RepositoryRoot(), "docs", "schemas");

    private static byte[] Example(string name) => File.ReadAllBytes(Path.Combine(Docs, "examples", name));

    [Theory]
    [InlineData("routing-table-changed.schema.json", "routing-table-changed.json")]
    [InlineData("routing-table.schema.json", "routing-table.json")]
    [InlineData("subscriber-status.schema.json", "subscriber-status.json")]
    [InlineData("traffic-report.schema.json", "traffic-report.json")]
    public void Example_ConformsToItsSchema(string schema, string example)
    {
        var errors = new MiniSchemaValidator(Docs).Validate(schema, JsonNode.Parse(Example(example)));

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("routing-table-changed.schema.json", """{"version":1}""")]
    [InlineData("subscriber-status.schema.json", """{"subscriberId":"a","kind":"sdk","reportedAt":"2025-06-01T12:00:00Z","appliedVersion":"x"}""")]
    [InlineData("traffic-report.schema.json", """{"reporterId":"g","windowStart":"a","windowEnd":"b","targets":[{"target":"t","outcomes":{"exploded":1}}]}""")]
    public void Validator_CatchesNonConformingDocuments(string schema, string json)
    {
        Assert.NotEmpty(new MiniSchemaValidator(Docs).Validate(schema, JsonNode.Parse(json)));
    }

    [Fact]
    public void Examples_DeserializeWithTheContracts()
    {
        var changed = ContractsJson.DeserializeRoutingTableChanged(Example("routing-table-changed.json"));
        var status = ContractsJson.DeserializeSubscriberStatus(Example("subscriber-status.json"));
        var report = ContractsJson.DeserializeTrafficReport(Example("traffic-report.json"));

        Assert.Equal(42, changed.Version);
        Assert.Equal(2, changed.Table.Routes.Count);
        Assert.Equal(1, changed.Table.Routes[0].ActiveTier);
        Assert.Equal(41, status.LastRejection!.Version);
        Assert.All(report.Targets.SelectMany(t => t.Outcomes.Keys), k => Assert.Contains(k, Outcomes.All));
    }

    [Fact]
    public void ExampleRoutingTableChanged_IsSignedByTheCommittedExampleKey()
    {
        // The example was signed by Node's crypto with JSON.stringify over sorted keys: this also proves the
        // .NET canonical form and the documented JavaScript recipe agree byte for byte on real content.
        var pem = File.ReadAllText(Path.Combine(Docs, "examples", "example-signing-key.pub.pem"));
        var verifier = RoutingTableVerifier.FromPem(new Dictionary<string, string> { ["example-2025-06"] = pem });

        var verification = verifier.Verify(Example("routing-table-changed.json"));

        Assert.Equal(VerificationResult.Valid, verification.Result);
    }

    [Fact]
    public void ContractsSerialization_ConformsToTheSchemas()
    {
        using var key = TestMessages.NewKey();
        var signed = new RoutingTableSigner(key, "k1").Sign(TestMessages.Unsigned());
        var status = new SubscriberStatus
        {
            SubscriberId = "s1",
            Kind = SubscriberKinds.Sdk,
            ReportedAt = DateTimeOffset.UnixEpoch,
            LastRejection = new RejectionInfo { Reason = RejectionReasons.Malformed, At = DateTimeOffset.UnixEpoch },
        };
        var validator = new MiniSchemaValidator(Docs);

        Assert.Empty(validator.Validate("routing-table-changed.schema.json", JsonNode.Parse(ContractsJson.Serialize(signed))));
        Assert.Empty(validator.Validate("subscriber-status.schema.json", JsonNode.Parse(ContractsJson.Serialize(status))));
    }

    [Fact]
    public void Repository_HoldsNoPrivateKey()
    {
        var root = TestMessages.RepositoryRoot();
        var offenders = new[] { "docs", "examples" }
            .Select(d => Path.Combine(root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains("node_modules", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(offenders);
    }
}
