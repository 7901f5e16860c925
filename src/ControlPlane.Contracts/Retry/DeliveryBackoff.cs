namespace ControlPlane.Contracts;

/// <summary>
/// When to try a failed operation again, for every retry loop there is (alert deliveries, the outbox relay, sample
/// ingest, the SDK's broker reconnects and snapshot fetches): exponential, capped, with jitter so many sinks, replicas
/// or subscribers do not retry in step. It lives here, BCL-only and pure, so the control plane and the SDK share it.
/// </summary>
public static class DeliveryBackoff
{
    /// <summary>The delay before the next attempt: <paramref name="baseDelay"/> doubled per failure, capped, jittered.</summary>
    /// <param name="attempts">Failed attempts so far (1 after the first failure).</param>
    /// <param name="baseDelay">The step after the first failure.</param>
    /// <param name="maxDelay">The cap of the step.</param>
    /// <param name="random">A uniform value in [0, 1): the jitter, passed in so the decision stays pure.</param>
    /// <returns>Between half the step and the whole step.</returns>
    public static TimeSpan Next(int attempts, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, exponent);
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);

        // "Equal jitter": never less than half the step, so retries still back off.
        return TimeSpan.FromMilliseconds((capped / 2) + (capped / 2 * Math.Clamp(random, 0, 1)));
    }
}
