namespace ControlPlane.Simulator.Hosting;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Simulated provider {ProviderId} ({Kind}) listening on {BaseUrl}")]
    public static partial void ProviderListening(ILogger logger, string providerId, string kind, Uri baseUrl);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Simulator chaos API listening on {ControlUrl}")]
    public static partial void ControlListening(ILogger logger, Uri controlUrl);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Chaos for {ProviderId} set to {Mode} (failure rate {FailureRate}, {StepCount} schedule steps)")]
    public static partial void ChaosApplied(ILogger logger, string providerId, string mode, double failureRate, int stepCount);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Listener of {ProviderId} stopped (refusing connections on port {Port})")]
    public static partial void ListenerStopped(ILogger logger, string providerId, int port);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Listener of {ProviderId} started on port {Port}")]
    public static partial void ListenerStarted(ILogger logger, string providerId, int port);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Applying the chaos schedule of {ProviderId} failed")]
    public static partial void ScheduleStepFailed(ILogger logger, Exception exception, string providerId);
}
