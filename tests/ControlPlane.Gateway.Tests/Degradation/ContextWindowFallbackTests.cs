using ControlPlane.Contracts.Providers;
using ControlPlane.Gateway.Degradation;

namespace ControlPlane.Gateway.Tests.Degradation;

public sealed class ContextWindowFallbackTests
{
    [Fact]
    public void Skips_BeforeAnyRefusal_SkipsNothing() =>
        Assert.False(new ContextWindowFallback().Skips(10));

    [Fact]
    public void Skips_AfterRefusal_KeepsOnlyKnownLargerWindows()
    {
        var windows = new ContextWindowFallback();
        windows.RecordRefusal(8_192, new ContextWindowNumbers(9_000, 8_192));

        Assert.True(windows.Skips(8_192));   // same size
        Assert.True(windows.Skips(4_096));   // smaller
        Assert.True(windows.Skips(null));    // unknown: maybe the same model size
        Assert.False(windows.Skips(128_000));
    }

    [Fact]
    public void Skips_AfterRefusal_LargerWindowStillBelowTheProvidersCount_IsSkipped()
    {
        var windows = new ContextWindowFallback();
        windows.RecordRefusal(8_192, new ContextWindowNumbers(20_000, 8_192));

        Assert.True(windows.Skips(16_384));
        Assert.False(windows.Skips(32_768));
    }

    [Fact]
    public void RecordRefusal_UnknownCatalogWindow_UsesTheWindowTheProviderStated()
    {
        var windows = new ContextWindowFallback();
        windows.RecordRefusal(null, new ContextWindowNumbers(300, 200));

        Assert.Equal(200, windows.RefusedWindow);
        Assert.True(windows.Skips(200));
        Assert.False(windows.Skips(400));
    }

    [Fact]
    public void Skips_RefusalWithNoWindowKnownAnywhere_TriesEveryCandidateExceptOnesBelowTheCount()
    {
        var windows = new ContextWindowFallback();
        windows.RecordRefusal(null, new ContextWindowNumbers(5_000, null));

        Assert.False(windows.Skips(null));
        Assert.False(windows.Skips(8_000));
        Assert.True(windows.Skips(4_000));
    }

    [Fact]
    public void RecordRefusal_SeveralRefusals_RemembersTheLargestWindow()
    {
        var windows = new ContextWindowFallback();
        windows.RecordRefusal(16_000, null);
        windows.RecordRefusal(8_000, null);

        Assert.Equal(16_000, windows.RefusedWindow);
        Assert.True(windows.Skips(12_000));
    }

    [Theory]
    [InlineData(1_000, 2_000, false)] // twice the window is not yet clearly too long: the estimate is rough
    [InlineData(1_000, 2_001, true)]
    [InlineData(null, 1_000_000, false)] // unknown window: never skipped up front
    public void IsClearlyTooSmall_OnlyFarBelowTheEstimate(int? window, int estimate, bool expected) =>
        Assert.Equal(expected, ContextWindowFallback.IsClearlyTooSmall(window, estimate));

    [Fact]
    public void SkippedUpFront_SomeWindowsClearlyTooSmall_SkipsThose()
    {
        var skipped = ContextWindowFallback.SkippedUpFront([1_000, null, 100_000], 5_000);

        Assert.Equal([0], skipped.Order());
    }

    [Fact]
    public void SkippedUpFront_EveryWindowClearlyTooSmall_SkipsNone_SoAProviderAnswers()
    {
        var skipped = ContextWindowFallback.SkippedUpFront([1_000, 2_000], 50_000);

        Assert.Empty(skipped);
    }
}
