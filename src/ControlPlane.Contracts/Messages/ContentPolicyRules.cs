namespace ControlPlane.Contracts;

/// <summary>Values of <see cref="RouteEntry.OnContentPolicy"/>: what a target's content-policy refusal does.</summary>
public static class ContentPolicyRules
{
    /// <summary>The client gets the refusal, in its own API (the default; omitted from the table).</summary>
    public const string Return = "return";

    /// <summary>The request moves on to the route's next target; the refusal does not count against the target.</summary>
    public const string NextTarget = "next-target";

    /// <summary>The rule a configured name means (ignoring case); null when it is none of them.</summary>
    public static string? Parse(string? name) =>
        string.Equals(name, Return, StringComparison.OrdinalIgnoreCase) ? Return
        : string.Equals(name, NextTarget, StringComparison.OrdinalIgnoreCase) ? NextTarget
        : null;
}
