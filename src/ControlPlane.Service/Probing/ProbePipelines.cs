using ControlPlane.Core.Catalog;
using Polly;
using Polly.Registry;
using Polly.Timeout;

namespace ControlPlane.Service.Probing;

/// <summary>
/// One Polly pipeline per provider, built once and cached in a registry. The pipeline is a timeout only — a probe
/// never retries, its job is to observe — and the timeout itself comes from the target's ProbeSettings through the
/// ResilienceContext, so targets of one provider may have different deadlines. It covers the whole probe,
/// stream included.
/// </summary>
public sealed class ProbePipelines : IDisposable, IAsyncDisposable
{
    public static readonly ResiliencePropertyKey<TimeSpan> TimeoutKey = new("controlplane.probe.timeout");

    private readonly ResiliencePipelineRegistry<string> _registry;

    public ProbePipelines(TimeProvider time)
    {
        _registry = new ResiliencePipelineRegistry<string>(new ResiliencePipelineRegistryOptions<string>
        {
            BuilderFactory = () => new ResiliencePipelineBuilder { TimeProvider = time },
        });
    }

    public ResiliencePipeline For(string providerId) =>
        _registry.GetOrAddPipeline(providerId, static (builder, context) =>
        {
            builder.InstanceName = context.PipelineKey;
            builder.AddTimeout(new TimeoutStrategyOptions
            {
                Name = "probe-timeout",
                TimeoutGenerator = static args =>
                    ValueTask.FromResult(args.Context.Properties.GetValue(TimeoutKey, CatalogBuilder.DefaultProbe.Timeout)),
            });
        });

    public void Dispose() => _registry.Dispose();

    public ValueTask DisposeAsync() => _registry.DisposeAsync();
}
