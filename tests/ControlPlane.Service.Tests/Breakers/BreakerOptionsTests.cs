using ControlPlane.Service.Breakers;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Tests.Breakers;

public sealed class BreakerOptionsTests
{
    [Fact]
    public void Validate_MaxBreakDurationBelowBase_IsRejectedNotClamped()
    {
        var options = new BreakerOptions { BaseBreakDuration = TimeSpan.FromMinutes(2), MaxBreakDuration = TimeSpan.FromMinutes(1) };

        var result = new DataAnnotationValidateOptions<BreakerOptions>(null).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("MaxBreakDuration", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ToSettings_KeepsTheConfiguredMaxBreakDuration()
    {
        var options = new BreakerOptions { BaseBreakDuration = TimeSpan.FromSeconds(30), MaxBreakDuration = TimeSpan.FromSeconds(30) };

        Assert.True(new DataAnnotationValidateOptions<BreakerOptions>(null).Validate(null, options).Succeeded);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ToSettings().MaxBreakDuration);
    }
}
