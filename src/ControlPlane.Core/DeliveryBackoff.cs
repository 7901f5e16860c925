namespace ControlPlane.Core;

/// <summary>
/// When to try a failed write again, for every retry loop there is (alert deliveries, the outbox relay, sample
/// ingest): exponential, capped, with jitter so many sinks or replicas do not retry in step.
/// </summary>
public static class DeliveryBackoff
{
    /// <param name="attempts">Failed attempts so far (1 after the first failure).</param>
    /// <param name="random">A uniform value in [0, 1): the jitter, passed in so the decision stays pure.</param>
    public static TimeSpan Next(int attempts, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, exponent);
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);

        // "Equal jitter": never less than half the step, so retries still back off.
        return TimeSpan.FromMilliseconds((capped / 2) + (capped / 2 * Math.Clamp(random, 0, 1)));
    }
}
