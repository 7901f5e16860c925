using System.Diagnostics;

namespace ControlPlane.Testing;

/// <summary>
/// Polls a condition until it holds or a generous deadline passes. Integration tests assert outcomes, not
/// durations: the deadline only bounds how long a broken build takes to fail.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Completes once <paramref name="condition"/> returns true. An exception from the condition counts as "not yet"
    /// (the service may not be answering yet) and is attached to the failure if the deadline passes.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var elapsed = Stopwatch.StartNew();
        Exception? last = null;
        var attempts = 0;
        while (true)
        {
            attempts++;
            try
            {
                if (await condition())
                {
                    return;
                }

                last = null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e;
            }

            if (elapsed.Elapsed >= timeout)
            {
                throw new TimeoutException(
                    $"Still not true after {timeout.TotalSeconds:0.#} s ({attempts} attempts): {because}" +
                    (last is null ? "" : $" (last attempt threw {last.GetType().Name}: {last.Message})"),
                    last);
            }

            await Task.Delay(PollInterval);
        }
    }
}
