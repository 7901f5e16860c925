using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Service.Breakers;

/// <summary>Breaker and cadence events (13xx-14xx). EventIds are stable and unique across the service (a test holds them to it).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Evaluation term started with {States} stored breaker states; latest table version {Version}")]
    public static partial void TermStarted(ILogger logger, int states, long version);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Breaker {Target}: {From} -> {To} ({Reason})")]
    public static partial void Transition(ILogger logger, string target, string from, string to, string reason);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Routing table version {Version} committed ({Changes} route changes)")]
    public static partial void NewVersion(ILogger logger, long version, int changes);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Could not commit evaluation ({Error}); {Pending} transitions kept in memory and retried")]
    public static partial void CommitFailed(ILogger logger, string error, int pending);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "Could not reload overrides ({Error}); using the last known set")]
    public static partial void OverridesStale(ILogger logger, string error);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Probe cadence of {Target} is now {Seconds}s, {Mode} (breaker {State}, budget-limited {BudgetLimited})")]
    public static partial void Cadence(ILogger logger, string target, double seconds, ProbeMode mode, CircuitState state, bool budgetLimited);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Could not save {Count} probe interval changes ({Error}); retrying after the next evaluation")]
    public static partial void CadenceNotSaved(ILogger logger, int count, string error);
}
