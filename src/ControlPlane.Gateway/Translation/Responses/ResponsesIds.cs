namespace ControlPlane.Gateway.Translation.Responses;

/// <summary>
/// Ids in the Responses style (<c>resp_…</c>, <c>msg_…</c>, <c>fc_…</c>), derived from the provider's ids so one answer
/// always gets the same ones.
/// </summary>
internal static class ResponsesIds
{
    /// <summary>The suffix every id of one response shares: the provider's id in safe characters, or a fresh one.</summary>
    public static string Suffix(string? providerId)
    {
        var safe = Safe(providerId);
        return safe.Length > 0 ? safe : Guid.NewGuid().ToString("N");
    }

    public static string Response(string suffix) => $"resp_{suffix}";

    public static string Message(string suffix, int ordinal) => ordinal == 0 ? $"msg_{suffix}" : $"msg_{suffix}_{ordinal}";

    public static string FunctionCall(string callId) => $"fc_{Safe(callId)}";

    private static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var chars = new char[text.Length];
        var n = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-')
            {
                chars[n++] = c;
            }
        }

        return new string(chars, 0, n);
    }
}
