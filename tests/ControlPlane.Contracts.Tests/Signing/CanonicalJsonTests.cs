using System.Text;
using ControlPlane.Contracts;

namespace ControlPlane.Contracts.Tests.Signing;

public sealed class CanonicalJsonTests
{
    private static string Canonical(string json) => Encoding.UTF8.GetString(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Canonicalize_SortsKeysAndDropsWhitespace_RegardlessOfInputOrder()
    {
        var a = Canonical("""{ "b": 1, "a": { "z": [3, 2, 1], "y": null }, "c": true }""");
        var b = Canonical("""{"c":true,"a":{"y":null,"z":[3,2,1]},"b":1}""");

        Assert.Equal("""{"a":{"y":null,"z":[3,2,1]},"b":1,"c":true}""", a);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Canonicalize_SortsByUtf16CodeUnits_NotByCulture()
    {
        // Ordinal UTF-16: upper case before lower case, "é" (U+00E9) before "😀" (surrogates D83D…), "B" before "a".
        var json = """{"😀":1,"é":2,"a":3,"B":4,"_":5}""";

        Assert.Equal("""{"B":4,"_":5,"a":3,"é":2,"😀":1}""", Canonical(json));
    }

    [Fact]
    public void Canonicalize_EscapesOnlyQuoteBackslashAndControlCharacters()
    {
        var json = "{\"s\":\"q\\\" b\\\\ nl\\n tab\\t bs\\b ff\\f cr\\r nul\\u0000 us\\u001F del\\u007f <>&' é → 😀 \\u2028\"}";

        Assert.Equal("{\"s\":\"q\\\" b\\\\ nl\\n tab\\t bs\\b ff\\f cr\\r nul\\u0000 us\\u001f del\u007f <>&' é → 😀 \u2028\"}", Canonical(json));
    }

    [Fact]
    public void Canonicalize_UnescapesNeedlessEscapes()
    {
        Assert.Equal("{\"a\":\"é/A\"}", Canonical("""{"a":"\u00e9\/\u0041"}"""));
    }

    [Fact]
    public void Canonicalize_WritesIntegersInShortestForm()
    {
        Assert.Equal("""[0,-5,9007199254740991]""", Canonical("[-0, -5, 9007199254740991]"));
    }

    [Theory]
    [InlineData("[1.5]")]
    [InlineData("[1e3]")]
    [InlineData("[9007199254740992]")]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{"a":"\ud800"}""")]
    [InlineData("{not json")]
    public void Canonicalize_RejectsWhatCannotBeSignedPortably(string json)
    {
        Assert.Throws<CanonicalJsonException>(() => Canonical(json));
    }

    [Fact]
    public void SigningInput_ExcludesOnlyTopLevelSignature()
    {
        var json = """{"signature":"x","version":1,"table":{"signature":"kept"}}""";

        var input = Encoding.UTF8.GetString(CanonicalJson.SigningInput(Encoding.UTF8.GetBytes(json)));

        Assert.Equal("""{"table":{"signature":"kept"},"version":1}""", input);
    }

    [Fact]
    public void SigningInput_OfMessage_IsStableAcrossSerializationsAndTimeZones()
    {
        var message = TestMessages.Unsigned();
        var sameInstantUtc = message with { IssuedAt = message.IssuedAt.ToUniversalTime() };

        var input = Encoding.UTF8.GetString(CanonicalJson.SigningInput(message));

        Assert.Equal(input, Encoding.UTF8.GetString(CanonicalJson.SigningInput(sameInstantUtc)));
        Assert.Contains("\"issuedAt\":\"2025-06-01T12:00:00.1234567Z\"", input, StringComparison.Ordinal);
        Assert.DoesNotContain("signature", input, StringComparison.Ordinal);
        Assert.StartsWith("{\"changes\":[{\"after\":", input, StringComparison.Ordinal);
        Assert.Contains("open → closed", input, StringComparison.Ordinal);
    }
}
