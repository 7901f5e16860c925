using System.Diagnostics;

namespace ControlPlane.Testing;

/// <summary>
/// Polls a condition until it holds, with a generous deadline. Tests wait for outcomes this way, never with a
/// fixed sleep: a fast machine finishes early, a slow one still passes, and a broken feature fails with a reason.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <exception cref="TimeoutException">The condition did not hold within <paramref name="timeout"/>.</exception>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
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
                // A condition that throws (service not answering yet, table not created yet) is just not true yet.
                last = e;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {because}." +
                    (last is null ? "" : $" Last error: {last.GetType().Name}: {last.Message}"), last);
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Polls until <paramref name="probe"/> returns a value that satisfies <paramref name="accept"/>, and returns it.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, TimeSpan timeout, string because)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(accept);
        T result = default!;
        await UntilAsync(async () =>
        {
            result = await probe();
            return accept(result);
        }, timeout, because);
        return result;
    }
}
