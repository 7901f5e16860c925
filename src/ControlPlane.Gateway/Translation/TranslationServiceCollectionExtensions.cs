using ControlPlane.Gateway.Hosting;
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
        throw new NotImplementedException("codecs land with their branches");
    }
}
