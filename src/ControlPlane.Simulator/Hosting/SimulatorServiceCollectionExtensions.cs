using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Simulator.Hosting;

public static class SimulatorServiceCollectionExtensions
{
    /// Binds the "Simulator" section, validates it on start (every problem at once) and runs the simulator.
    public static IHostApplicationBuilder AddSimulator(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SimulatorOptions>().BindConfiguration(SimulatorOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SimulatorOptions>, SimulatorOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<SimulatorHostedService>();
        return builder;
    }
}
