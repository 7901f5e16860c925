namespace ControlPlane.Gateway.Forwarding;

/// <summary>
/// What the safety net has seen so far for one request: the attempts made, the last upstream failure, the last
/// rejection (a translated request a target called invalid), the last refusal (too long for the target, or its
/// content policy), whether a target was passed over at its concurrency limit, and the first feature no target's API
/// could express. It owns the results it keeps and disposes them.
/// </summary>
internal sealed class AttemptLedger : IDisposable
{
    public int Attempts { get; private set; }

    /// <summary>Some candidate was passed over because it was at its concurrency limit.</summary>
    public bool Limited { get; private set; }

    public string? Unservable { get; private set; }

    public AttemptResult? Failure { get; private set; }

    public bool FailureNative { get; private set; }

    public AttemptResult? Rejection { get; private set; }

    public AttemptResult? Refusal { get; private set; }

    public bool RefusalNative { get; private set; }

    /// <summary>The outcome that made the safety net move on (for the retry metric); null before any.</summary>
    public string? RetryCause => Failure?.Outcome ?? Refusal?.Outcome;

    /// <summary>Only upstream failures so far: nothing a target said about the request itself.</summary>
    public bool OnlyFailures => Failure is not null && Rejection is null && Refusal is null;

    public void Attempted() => Attempts++;

    public void AtLimit() => Limited = true;

    public void CannotExpress(string feature) => Unservable ??= feature;

    public void Failed(AttemptResult result, bool native)
    {
        Failure?.Dispose();
        (Failure, FailureNative) = (result, native);
    }

    public void Rejected(AttemptResult result)
    {
        Rejection?.Dispose();
        Rejection = result;
    }

    public void Refused(AttemptResult result, bool native)
    {
        Refusal?.Dispose();
        (Refusal, RefusalNative) = (result, native);
    }

    public void Dispose()
    {
        Failure?.Dispose();
        Rejection?.Dispose();
        Refusal?.Dispose();
    }
}
