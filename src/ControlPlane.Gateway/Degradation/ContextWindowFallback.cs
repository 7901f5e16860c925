using ControlPlane.Contracts.Providers;

namespace ControlPlane.Gateway.Degradation;

/// <summary>
/// One request's memory of context windows (issue #15, error-class fallbacks). Before sending, only targets whose known
/// window is clearly too small for the gateway's estimate of the request are skipped (<see cref="SkippedUpFront"/>);
/// after a target refused the request as too long, only targets known to have a larger window are worth trying
/// (<see cref="Skips"/>). Pure: no I/O, no clock.
/// </summary>
internal sealed class ContextWindowFallback
{
    /// <summary>
    /// How far the estimate must exceed a window before the target is skipped unasked. The estimate is about four
    /// characters a token, which undercounts some scripts and overcounts others; a refusal costs one fast 400, a
    /// wrongly skipped target costs an answer, so only a request twice the window is "clearly" too long.
    /// </summary>
    public const int ClearMargin = 2;

    private int? _refusedWindow;
    private int? _requestTokens;

    /// <summary>True once some target refused the request as too long.</summary>
    public bool Refused { get; private set; }

    /// <summary>The largest window that refused the request (catalog's, else the provider's words); null when none known.</summary>
    public int? RefusedWindow => _refusedWindow;

    /// <summary>The request's size as a provider counted it; null until one said.</summary>
    public int? RequestTokens => _requestTokens;

    /// <summary>A target with <paramref name="targetWindow"/> refused the request as too long, saying <paramref name="stated"/>.</summary>
    public void RecordRefusal(int? targetWindow, ContextWindowNumbers? stated)
    {
        Refused = true;
        var window = targetWindow ?? stated?.Limit;
        if (window is { } w)
        {
            _refusedWindow = Math.Max(_refusedWindow ?? 0, w);
        }

        if (stated?.RequestTokens is { } tokens)
        {
            _requestTokens = Math.Max(_requestTokens ?? 0, tokens);
        }
    }

    /// <summary>After a refusal: whether to skip a candidate with this window (null: not in the catalog). Before one: never.</summary>
    public bool Skips(int? candidateWindow)
    {
        if (!Refused)
        {
            return false;
        }

        if (_refusedWindow is { } refused)
        {
            // Only a window known to be larger can change the answer; an unknown one may well be the same model size.
            return candidateWindow is not { } window || window <= refused || window < (_requestTokens ?? 0);
        }

        // Nothing says how large the refusing window was: a provider's count still rules out windows below it.
        return candidateWindow is { } known && _requestTokens is { } tokens && known < tokens;
    }

    /// <summary>Before any refusal: a known window far below the estimate (<see cref="ClearMargin"/>).</summary>
    public static bool IsClearlyTooSmall(int? window, int? estimatedTokens) =>
        window is { } w && estimatedTokens is { } tokens && tokens > (long)w * ClearMargin;

    /// <summary>
    /// The candidates to skip unasked, as indexes; none when every candidate would be skipped, so the client still gets
    /// a provider's own answer (its refusal) rather than a gateway's guess.
    /// </summary>
    public static IReadOnlySet<int> SkippedUpFront(IReadOnlyList<int?> windows, int? estimatedTokens)
    {
        var skipped = new HashSet<int>();
        for (var i = 0; i < windows.Count; i++)
        {
            if (IsClearlyTooSmall(windows[i], estimatedTokens))
            {
                skipped.Add(i);
            }
        }

        return skipped.Count == windows.Count ? new HashSet<int>() : skipped;
    }
}
