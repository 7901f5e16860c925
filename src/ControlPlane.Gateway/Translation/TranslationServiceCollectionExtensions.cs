using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Translation.Anthropic;
using ControlPlane.Gateway.Translation.Gemini;
using ControlPlane.Gateway.Translation.OpenAiChat;
using ControlPlane.Gateway.Translation.Responses;
using ControlPlane.Gateway.Upstreams;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Translation;

public static class TranslationServiceCollectionExtensions
{
    /// <summary>One codec per client API and per provider kind, stateless and shared.</summary>
    public static IHostApplicationBuilder AddTranslation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => Create(sp.GetRequiredService<IOptions<GatewayOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    internal static CodecRegistry Create(GatewayOptions options, TimeProvider time)
    {
        var anthropic = new AnthropicCodec(options.DefaultMaxTokens);
        var openAi = new OpenAiChatCodec(OpenAiChatDialect.OpenAi, time);
        return new CodecRegistry(
            new Dictionary<ApiFormat, IClientCodec>
            {
                [ApiFormat.AnthropicMessages] = anthropic,
                [ApiFormat.OpenAiChat] = openAi,
                [ApiFormat.OpenAiResponses] = new ResponsesCodec(time),
            },
            new Dictionary<ProviderKind, IProviderCodec>
            {
                [ProviderKind.Anthropic] = anthropic,
                [ProviderKind.OpenAI] = openAi,
                [ProviderKind.OpenAICompatible] = new OpenAiChatCodec(OpenAiChatDialect.Compatible, time),
                [ProviderKind.Gemini] = new GeminiCodec(),
            });
    }
}
