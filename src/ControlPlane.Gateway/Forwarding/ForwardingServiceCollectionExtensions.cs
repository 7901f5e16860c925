using ControlPlane.Gateway.Caching;
using ControlPlane.Gateway.Translation;

namespace ControlPlane.Gateway.Forwarding;

public static class ForwardingServiceCollectionExtensions
{
    /// <summary>The forwarding pipeline (plan, attempt, relay, record), its codecs, and the local passive breaker.</summary>
    public static IHostApplicationBuilder AddForwarding(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LocalBreaker>();
        builder.Services.AddSingleton<Degradation.RetryAfterPause>();
        builder.Services.AddSingleton<RoutePlanner>();
        builder.Services.AddSingleton<UpstreamAttempt>();
        builder.Services.AddSingleton<AnswerRelay>();
        builder.Services.AddSingleton<AttemptRecorder>();
        builder.Services.AddSingleton<ChatForwarder>();
        builder.Services.AddSingleton<TokenCounter>();
        builder.AddTranslation();
        builder.AddResponseCache();
        return builder;
    }
}
