namespace ControlPlane.Core.Breakers;

public enum CircuitState
{
    /// <summary>Healthy; full weight (or ramping back up in slow start).</summary>
    Closed,

    /// <summary>Serving but over its latency objective: kept in rotation at reduced weight.</summary>
    Degraded,

    /// <summary>Failing: no traffic until the break duration has passed.</summary>
    Open,

    /// <summary>Break over: trial probes decide; still no routed traffic.</summary>
    HalfOpen,
}
