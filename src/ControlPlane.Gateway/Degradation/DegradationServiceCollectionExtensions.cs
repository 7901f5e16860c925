namespace ControlPlane.Gateway.Degradation;

public static class DegradationServiceCollectionExtensions
{
    /// <summary>Request classes and the stage that obeys the table's degradation profiles (serve, hold, shed).</summary>
    public static IHostApplicationBuilder AddDegradation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RequestClasses>();
        builder.Services.AddSingleton<DegradationGate>();
        return builder;
    }
}
