using System.Text;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Caching;
using ControlPlane.Gateway.Upstreams;

namespace ControlPlane.Gateway.Tests.Caching;

public sealed class CacheKeysTests
{
    private static readonly RouteCache Greedy = new() { Mode = CacheModes.StaleIfError, TtlMs = 60_000, AllowTemperature = false, ShareAcrossKeys = false };

    private static string Key(string body, string route = "chat", ApiFormat format = ApiFormat.OpenAiChat, string variant = "", string? clientKey = "sk-a", bool shared = false) =>
        CacheKeys.For(format, route, Encoding.UTF8.GetBytes(body), variant, clientKey, shared);

    [Fact]
    public void For_MemberOrderWhitespaceAndEscapes_DoNotMatter()
    {
        var a = Key("""{"model":"chat","temperature":0,"messages":[{"role":"user","content":"hi"}]}""");
        var b = Key("""{ "messages" : [ { "content":"h\u0069", "role":"user" } ], "temperature":0, "model":"chat" }""");

        Assert.Equal(a, b);
        Assert.Matches("^[0-9a-f]{64}$", a);
    }

    [Fact]
    public void For_AnAliasAndTheRouteId_ShareOneKey()
    {
        // The planner resolved both to the route: the body's model names the route either way.
        Assert.Equal(Key("""{"model":"chat","temperature":0}"""), Key("""{"model":"claude-sonnet-4-5","temperature":0}"""));
    }

    [Fact]
    public void For_OnlyTheTopLevelModelIsNormalised()
    {
        Assert.NotEqual(
            Key("""{"model":"chat","metadata":{"model":"a"}}"""),
            Key("""{"model":"chat","metadata":{"model":"b"}}"""));
    }

    [Theory]
    [InlineData("""{"model":"chat","temperature":0,"messages":[{"role":"user","content":"hi!"}]}""")] // content
    [InlineData("""{"model":"chat","temperature":0,"messages":[{"role":"user","content":"hi"}],"stream":true}""")] // streamed
    [InlineData("""{"model":"chat","temperature":0,"messages":[{"role":"user","content":"hi"}],"max_tokens":5}""")] // a parameter
    [InlineData("""{"model":"chat","temperature":0,"messages":[{"content":"hi","role":"user"},{"role":"user","content":"x"}]}""")] // array order
    public void For_AnyDifferenceInTheRequest_IsAnotherKey(string other)
    {
        Assert.NotEqual(Key("""{"model":"chat","temperature":0,"messages":[{"role":"user","content":"hi"}]}"""), Key(other));
    }

    [Fact]
    public void For_ApiRouteAndVariant_SeparateKeys()
    {
        const string body = """{"model":"chat","temperature":0}""";
        var keys = new[]
        {
            Key(body),
            Key(body, format: ApiFormat.AnthropicMessages),
            Key(body, format: ApiFormat.OpenAiResponses),
            Key(body, route: "chat-2"),
            Key(body, variant: "\n2023-06-01\n"),
        };

        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void For_ClientKeys_AreSeparatedUnlessShared()
    {
        const string body = """{"model":"chat","temperature":0}""";

        Assert.NotEqual(Key(body, clientKey: "sk-a"), Key(body, clientKey: "sk-b"));
        Assert.NotEqual(Key(body, clientKey: "sk-a"), Key(body, clientKey: null));
        Assert.Equal(Key(body, clientKey: "sk-a", shared: true), Key(body, clientKey: "sk-b", shared: true));
        Assert.Equal(Key(body, clientKey: "sk-a", shared: true), Key(body, clientKey: null, shared: true));
    }

    [Fact]
    public void For_NeverContainsTheClientKey()
    {
        var key = Key("""{"model":"chat"}""", clientKey: "sk-secret-123");

        Assert.DoesNotContain("secret", key, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"chat","temperature":0}""", true)]
    [InlineData("""{"model":"chat","temperature":0.0}""", true)]
    [InlineData("""{"model":"chat","temperature":0.2}""", false)]
    [InlineData("""{"model":"chat"}""", false)]                      // absent: the API's default, 1
    [InlineData("""{"model":"chat","temperature":null}""", false)]
    [InlineData("""{"model":"chat","temperature":"0"}""", false)]    // not a number: not cacheable
    [InlineData("""{"model":"chat","metadata":{"temperature":0}}""", false)] // only the top level counts
    public void IsCacheable_OnlyAnExplicitTemperatureZero_WhenTheRouteDoesNotAllowSampling(string body, bool cacheable)
    {
        Assert.Equal(cacheable, CacheKeys.IsCacheable(Encoding.UTF8.GetBytes(body), Greedy));
    }

    [Theory]
    [InlineData("""{"model":"chat","temperature":0.7}""")]
    [InlineData("""{"model":"chat"}""")]
    public void IsCacheable_AnyTemperature_WhenTheRouteAllowsIt(string body)
    {
        Assert.True(CacheKeys.IsCacheable(Encoding.UTF8.GetBytes(body), Greedy with { AllowTemperature = true }));
    }

    [Fact]
    public void Canonical_SortsMembersAndSetsTheModel()
    {
        var canonical = CacheKeys.Canonical("""{ "z":1, "model":"alias", "a":{"y":[2, 1.50],"b":"\u00e9"} }"""u8, "chat");

        Assert.Equal("""{"a":{"b":"\u00E9","y":[2,1.50]},"model":"chat","z":1}""", Encoding.UTF8.GetString(canonical));
    }
}
