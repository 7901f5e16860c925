namespace ControlPlane.Gateway.Forwarding;

public static class ForwardingServiceCollectionExtensions
{
    /// <summary>The forwarder with its safety net, and the local passive breaker for stale tables.</summary>
    public static IHostApplicationBuilder AddForwarding(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LocalBreaker>();
        builder.Services.AddSingleton<ChatForwarder>();
        return builder;
    }
}
