using ControlPlane.Service.Leadership;
using ControlPlane.Service.Overrides;

namespace ControlPlane.Service.Breakers;

public static class BreakersServiceCollectionExtensions
{
    /// <summary>Leader election, the breaker evaluator, overrides and the audit trail.</summary>
    public static IHostApplicationBuilder AddBreakers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BreakerOptions>().BindConfiguration(BreakerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<EvaluationStore>();
        builder.Services.AddSingleton<OverrideStore>();
        builder.Services.AddSingleton<AuditQueries>();
        builder.Services.AddSingleton<BreakerStateView>();
        builder.Services.AddSingleton<ProbeCadenceController>();

        builder.AddLeadership();
        builder.Services.AddHostedService<BreakerEvaluator>();
        return builder;
    }
}
