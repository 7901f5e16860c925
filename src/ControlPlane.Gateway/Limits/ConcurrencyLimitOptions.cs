using System.Globalization;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Limits;

/// <summary>
/// The "Gateway:Limits" section: adaptive per-target concurrency limits. Each target's limit moves by an AIMD rule
/// fed by every attempt (latency to headers against the target's own fastest recent latency, 429 / overloaded /
/// timeout), never above a ceiling that the target's state in the routing table lowers.
/// </summary>
public sealed class ConcurrencyLimitOptions
{
    /// <summary>Off: nothing is refused (in-flight counts and the metrics still run), e.g. to compare in the bench.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Most requests in flight to one target from this gateway while the target is healthy.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>The limit never goes below this, so a target keeps getting samples to recover from.</summary>
    public int MinLimit { get; set; } = 1;

    /// <summary>Where a target's limit starts before its first sample.</summary>
    public int InitialLimit { get; set; } = 16;

    /// <summary>Share of the ceiling left while the table says the target is degraded or half-open.</summary>
    public double DegradedShare { get; set; } = 0.5;

    /// <summary>Multiplier applied to the limit on a congestion signal (the "MD" of AIMD).</summary>
    public double Backoff { get; set; } = 0.7;

    /// <summary>A latency above this many times the target's baseline counts as congestion.</summary>
    public double Tolerance { get; set; } = 3.0;

    /// <summary>
    /// The baseline is never taken below this: a simulator or cache answering in a millisecond would otherwise make
    /// ordinary jitter look like congestion.
    /// </summary>
    public TimeSpan BaselineFloor { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The baseline is the fastest latency of the current and the previous window of this length.</summary>
    public TimeSpan BaselineWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Share of the limit requests that are not critical may use; the rest is kept for critical ones.</summary>
    public double NonCriticalShare { get; set; } = 0.8;

    /// <summary>Retry-After sent when every candidate of a request is at its limit.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Lists every problem of the Gateway:Limits section at once.</summary>
internal sealed class ConcurrencyLimitOptionsValidator : IValidateOptions<Hosting.GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, Hosting.GatewayOptions options)
    {
        const string S = "Gateway:Limits";
        var o = options.Limits;
        var failures = new List<string>();
        if (o.MinLimit < 1)
        {
            failures.Add($"{S}:MinLimit must be at least 1 (got {Str(o.MinLimit)}).");
        }

        if (o.MaxConcurrency < o.MinLimit)
        {
            failures.Add($"{S}:MaxConcurrency must be at least MinLimit ({Str(o.MinLimit)}); got {Str(o.MaxConcurrency)}.");
        }

        if (o.InitialLimit < o.MinLimit || o.InitialLimit > o.MaxConcurrency)
        {
            failures.Add($"{S}:InitialLimit must be between MinLimit and MaxConcurrency; got {Str(o.InitialLimit)}.");
        }

        if (o.DegradedShare is <= 0 or > 1)
        {
            failures.Add($"{S}:DegradedShare must be in (0, 1]; got {Str(o.DegradedShare)}.");
        }

        if (o.Backoff is <= 0 or >= 1)
        {
            failures.Add($"{S}:Backoff must be in (0, 1); got {Str(o.Backoff)}.");
        }

        if (o.Tolerance <= 1)
        {
            failures.Add($"{S}:Tolerance must be above 1; got {Str(o.Tolerance)}.");
        }

        if (o.NonCriticalShare is <= 0 or > 1)
        {
            failures.Add($"{S}:NonCriticalShare must be in (0, 1]; got {Str(o.NonCriticalShare)}.");
        }

        if (o.BaselineFloor < TimeSpan.Zero)
        {
            failures.Add($"{S}:BaselineFloor must not be negative.");
        }

        if (o.BaselineWindow <= TimeSpan.Zero)
        {
            failures.Add($"{S}:BaselineWindow must be positive.");
        }

        if (o.RetryAfter < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{S}:RetryAfter must be at least one second (Retry-After is whole seconds).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Str(double value) => value.ToString(CultureInfo.InvariantCulture);
}
