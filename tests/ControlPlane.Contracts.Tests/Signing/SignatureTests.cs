using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Contracts;

namespace ControlPlane.Contracts.Tests.Signing;

public sealed class SignatureTests : IDisposable
{
    private readonly ECDsa _key = TestMessages.NewKey();
    private readonly ECDsa _otherKey = TestMessages.NewKey();

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }

    private static RoutingTableVerifier Verifier(params (string Id, ECDsa Key)[] keys) =>
        new(keys.ToDictionary(k => k.Id, k => k.Key));

    private static byte[] Mutate(RoutingTableChanged signed, Action<JsonObject> change)
    {
        var node = JsonNode.Parse(ContractsJson.Serialize(signed))!.AsObject();
        change(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    [Fact]
    public void SignThenVerify_IsValid_AndSignatureIs64BytesP1363()
    {
        var signed = new RoutingTableSigner(_key, "k1").Sign(TestMessages.Unsigned());

        var verification = Verifier(("k1", _key)).Verify(ContractsJson.Serialize(signed));

        Assert.Equal(VerificationResult.Valid, verification.Result);
        Assert.Equal("k1", signed.KeyId);
        Assert.Equal(64, Convert.FromBase64String(signed.Signature).Length);
        Assert.Equal(7, verification.Message!.Version);
        Assert.Equal(VerificationResult.Valid, Verifier(("k1", _key)).Verify(signed));
    }

    [Fact]
    public void Verify_AcceptsAnyJsonLayoutOfTheSameContent()
    {
        var signed = new RoutingTableSigner(_key, "k1").Sign(TestMessages.Unsigned());
        var pretty = JsonNode.Parse(ContractsJson.Serialize(signed))!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

        Assert.Equal(VerificationResult.Valid, Verifier(("k1", _key)).Verify(Encoding.UTF8.GetBytes(pretty)).Result);
    }

    public static TheoryData<string> Tampering => new() { "weight", "version", "previousVersion", "issuedAt", "changes", "extra property" };

    [Theory]
    [MemberData(nameof(Tampering))]
    public void Verify_TamperedContent_IsBadSignature(string what)
    {
        var signed = new RoutingTableSigner(_key, "k1").Sign(TestMessages.Unsigned());

        var tampered = Mutate(signed, node =>
        {
            switch (what)
            {
                case "weight": node["table"]!["routes"]![0]!["tiers"]![0]!["targets"]![1]!["weight"] = 900; break;
                case "version": node["version"] = 8; break;
                case "previousVersion": node["previousVersion"] = 7; break;
                case "issuedAt": node["issuedAt"] = "2025-06-01T12:00:01.1234567Z"; break;
                case "changes": node["changes"] = new JsonArray(); break;
                default: node["endpoint"] = "https://evil.example"; break;
            }
        });

        var verification = Verifier(("k1", _key)).Verify(tampered);

        Assert.Equal(VerificationResult.BadSignature, verification.Result);
        Assert.NotNull(verification.Message);
    }

    [Fact]
    public void Verify_AdditiveFieldSignedByANewerPublisher_IsValid()
    {
        var unsigned = Mutate(TestMessages.Unsigned() with { KeyId = "k1" }, node => node["futureField"] = new JsonObject { ["x"] = 1 });
        var signature = _key.SignData(CanonicalJson.SigningInput(unsigned), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var node = JsonNode.Parse(unsigned)!.AsObject();
        node["signature"] = Convert.ToBase64String(signature);

        Assert.Equal(VerificationResult.Valid, Verifier(("k1", _key)).Verify(Encoding.UTF8.GetBytes(node.ToJsonString())).Result);
    }

    [Fact]
    public void Verify_UnknownKeyId_IsUnknownKeyId()
    {
        var signed = new RoutingTableSigner(_key, "k-new").Sign(TestMessages.Unsigned());

        Assert.Equal(VerificationResult.UnknownKeyId, Verifier(("k1", _key)).Verify(ContractsJson.Serialize(signed)).Result);
    }

    [Fact]
    public void Verify_KeyRotation_TrustsBothKeysByTheirIds()
    {
        var verifier = Verifier(("old", _key), ("new", _otherKey));
        var byOld = new RoutingTableSigner(_key, "old").Sign(TestMessages.Unsigned(7));
        var byNew = new RoutingTableSigner(_otherKey, "new").Sign(TestMessages.Unsigned(8));
        var lyingAboutItsKey = new RoutingTableSigner(_key, "new").Sign(TestMessages.Unsigned(9));

        Assert.Equal(VerificationResult.Valid, verifier.Verify(byOld));
        Assert.Equal(VerificationResult.Valid, verifier.Verify(byNew));
        Assert.Equal(VerificationResult.BadSignature, verifier.Verify(lyingAboutItsKey));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"version":1}""")]
    [InlineData("""[1,2,3]""")]
    public void Verify_NotAMessage_IsMalformed(string json)
    {
        var verification = Verifier(("k1", _key)).Verify(Encoding.UTF8.GetBytes(json));

        Assert.Equal(VerificationResult.Malformed, verification.Result);
        Assert.Null(verification.Message);
        Assert.False(string.IsNullOrEmpty(verification.Detail));
    }

    [Fact]
    public void Verify_SignatureNotBase64_IsMalformed()
    {
        var signed = new RoutingTableSigner(_key, "k1").Sign(TestMessages.Unsigned());

        Assert.Equal(VerificationResult.Malformed, Verifier(("k1", _key)).Verify(signed with { Signature = "%%%" }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("AAAA")]
    public void Verify_EmptyOrShortSignature_IsMalformed_WhateverTheKeyId(string signature)
    {
        var signed = new RoutingTableSigner(_key, "k1").Sign(TestMessages.Unsigned());

        Assert.Equal(VerificationResult.Malformed, Verifier(("k1", _key)).Verify(signed with { Signature = signature }));
        Assert.Equal(VerificationResult.Malformed, Verifier(("k1", _key)).Verify(signed with { Signature = signature, KeyId = "nobody" }));
    }

    [Fact]
    public void Keys_GenerateAndLoadFromPem_RoundTrip()
    {
        var pair = SigningKeys.Generate();
        using var privateKey = SigningKeys.LoadPrivateKeyPem(pair.PrivateKeyPem);
        var signed = new RoutingTableSigner(privateKey, "k1").Sign(TestMessages.Unsigned());

        var verifier = RoutingTableVerifier.FromPem(new Dictionary<string, string> { ["k1"] = pair.PublicKeyPem });

        Assert.Contains("-----BEGIN " + "PRIVATE KEY-----", pair.PrivateKeyPem, StringComparison.Ordinal); // split so scanners see no key
        Assert.Contains("BEGIN PUBLIC KEY", pair.PublicKeyPem, StringComparison.Ordinal);
        Assert.Equal(VerificationResult.Valid, verifier.Verify(signed));
    }

    [Fact]
    public void Keys_WrongCurveOrWrongBlock_AreRefused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var pair = SigningKeys.Generate();

        Assert.Throws<ArgumentException>(() => SigningKeys.LoadPublicKeyPem(p384.ExportSubjectPublicKeyInfoPem()));
        Assert.Throws<ArgumentException>(() => SigningKeys.LoadPublicKeyPem(pair.PrivateKeyPem));
        Assert.Throws<ArgumentException>(() => SigningKeys.LoadPrivateKeyPem(pair.PublicKeyPem));
    }
}
