namespace ControlPlane.Core.Breakers;

public enum BreakerSignalKind
{
    /// <summary>Auth failures (key revoked, wrong header) or bad requests (probe names a wrong model or parameter).</summary>
    Misconfiguration,

    /// <summary>Spend cap or billing quota reached: not an outage, but someone must act.</summary>
    QuotaExhausted,
}

/// <summary>Something an operator must hear about that is not (only) a breaker transition.</summary>
public sealed record BreakerSignal(BreakerSignalKind Kind, string Detail);
