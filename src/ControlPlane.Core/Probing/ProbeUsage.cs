namespace ControlPlane.Core.Probing;

/// <summary>
/// The tokens one probe spent, as the provider's answer reported them. The three counts are disjoint: input is the
/// prompt, output the visible answer, reasoning the hidden thinking the provider billed as output on top of it.
/// </summary>
public sealed record ProbeUsage(int InputTokens, int OutputTokens, int ReasoningTokens = 0)
{
    /// <summary>Tokens billed at the output price: the visible answer and the hidden reasoning.</summary>
    public int BilledOutputTokens => OutputTokens + ReasoningTokens;
}
