using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Probing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace ControlPlane.Service.Tests.Probing;

/// <summary>The probe body each model family gets on the wire: the profile's fields, and nothing a model would reject.</summary>
public sealed class ProbeProfileWireTests : IDisposable
{
    private readonly string _variable = $"CONTROLPLANE_TEST_KEY_{Guid.NewGuid():N}";

    public ProbeProfileWireTests() => Environment.SetEnvironmentVariable(_variable, "sk-profile-wire-test");

    public void Dispose() => Environment.SetEnvironmentVariable(_variable, null);

    private sealed class CapturingHandler : DelegatingHandler
    {
        public List<JsonNode> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!);
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("") };
        }
    }

    private async Task<JsonNode> BodyAsync(ProviderKind kind, string model, ProbeProfile profile = ProbeProfile.Auto)
    {
        var provider = new ProviderDefinition("wire", kind, new Uri("http://127.0.0.1:9/"), new ApiKeySource(_variable, null), new Dictionary<string, string>(), null);
        var target = new TargetDefinition(
            TargetId.For(provider.Id, model),
            provider.Id,
            model,
            new ProbeSettings(ProbeMode.Inference, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), 1, "ping", true, new Dictionary<string, string>())
            {
                Profile = profile,
            });
        var capture = new CapturingHandler();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new ProviderCatalog([provider], [target], []));
        services.AddProbeClients();
        services.ConfigureAll<HttpClientFactoryOptions>(o => o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Add(capture)));
        await using var built = services.BuildServiceProvider();

        var sample = await built.GetRequiredService<IProbeExecutor>().ProbeAsync(target, CancellationToken.None);

        Assert.Equal(ProbeOutcome.ServerError, sample.Outcome);
        return Assert.Single(capture.Bodies);
    }

    [Fact]
    public async Task OpenAI_OSeries_MaxCompletionTokensAndLowEffortOnly()
    {
        var body = await BodyAsync(ProviderKind.OpenAI, "o4-mini");

        Assert.Equal(ProbeProfiles.CappedReasoningLimit, (int)body["max_completion_tokens"]!);
        Assert.Equal("low", (string)body["reasoning_effort"]!);
        Assert.Null(body["max_tokens"]);
        Assert.Null(body["temperature"]);
    }

    [Fact]
    public async Task OpenAI_ChatModel_NoReasoningEffortField()
    {
        var body = await BodyAsync(ProviderKind.OpenAI, "gpt-4.1");

        Assert.Equal(1, (int)body["max_completion_tokens"]!);
        Assert.False(body.AsObject().ContainsKey("reasoning_effort"));
        Assert.False(body.AsObject().ContainsKey("max_tokens"));
    }

    [Fact]
    public async Task Compatible_StandardProfileOnOSeries_MaxTokensWithoutEffort()
    {
        var body = await BodyAsync(ProviderKind.OpenAICompatible, "o4-mini", ProbeProfile.Standard);

        Assert.Equal(1, (int)body["max_tokens"]!);
        Assert.False(body.AsObject().ContainsKey("max_completion_tokens"));
        Assert.False(body.AsObject().ContainsKey("reasoning_effort"));
    }

    [Theory]
    [InlineData("gemini-2.5-pro", """{"maxOutputTokens":16,"thinkingConfig":{"thinkingBudget":128}}""")]
    [InlineData("gemini-2.5-flash", """{"maxOutputTokens":1,"thinkingConfig":{"thinkingBudget":0}}""")]
    [InlineData("gemini-3-pro-preview", """{"maxOutputTokens":16,"thinkingConfig":{"thinkingLevel":"low"}}""")]
    [InlineData("gemini-2.0-flash", """{"maxOutputTokens":1}""")]
    public async Task Gemini_GenerationConfigFitsTheModel(string model, string generationConfig)
    {
        var body = await BodyAsync(ProviderKind.Gemini, model);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(generationConfig), body["generationConfig"]), body["generationConfig"]!.ToJsonString());
    }

    [Fact]
    public async Task Anthropic_NoThinkingField()
    {
        var body = await BodyAsync(ProviderKind.Anthropic, "claude-sonnet-4-5");

        Assert.Equal(1, (int)body["max_tokens"]!);
        Assert.False(body.AsObject().ContainsKey("thinking"));
    }
}
