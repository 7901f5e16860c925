using System.Net;
using ControlPlane.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Upstreams;

public static class UpstreamsServiceCollectionExtensions
{
    /// <summary>Provider endpoints and keys from the gateway's own config, and the one connection pool to reach them.</summary>
    public static IHostApplicationBuilder AddUpstreams(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProviderRegistry>();
        builder.Services.AddSingleton(sp => CreateInvoker(sp.GetRequiredService<IOptions<GatewayOptions>>().Value));
        return builder;
    }

    /// <summary>
    /// A raw <see cref="HttpMessageInvoker"/> over <see cref="SocketsHttpHandler"/>, as YARP does: the handler returns
    /// at response headers and never buffers the body, so streams pass through as they arrive. No redirects, cookies,
    /// decompression or proxy: the gateway relays bytes, it does not interpret them.
    /// </summary>
    internal static HttpMessageInvoker CreateInvoker(GatewayOptions options) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = options.ConnectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5), // re-resolve DNS of providers now and then
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = null,
    }, disposeHandler: true);
}
