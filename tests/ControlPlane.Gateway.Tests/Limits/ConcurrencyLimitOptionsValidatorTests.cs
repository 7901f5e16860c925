using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Limits;

namespace ControlPlane.Gateway.Tests.Limits;

public sealed class ConcurrencyLimitOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new ConcurrencyLimitOptionsValidator().Validate(null, new GatewayOptions()).Succeeded);

    [Fact]
    public void Validate_ListsEveryProblemAtOnce()
    {
        var options = new GatewayOptions
        {
            Limits = new()
            {
                MinLimit = 0, MaxConcurrency = -1, InitialLimit = 5, DegradedShare = 0, Backoff = 1, Tolerance = 1,
                NonCriticalShare = 1.5, BaselineWindow = TimeSpan.Zero, RetryAfter = TimeSpan.Zero,
            },
        };

        var failures = new ConcurrencyLimitOptionsValidator().Validate(null, options).Failures!.ToList();

        foreach (var field in new[] { "MinLimit", "MaxConcurrency", "InitialLimit", "DegradedShare", "Backoff", "Tolerance", "NonCriticalShare", "BaselineWindow", "RetryAfter" })
        {
            Assert.Contains(failures, f => f.StartsWith($"Gateway:Limits:{field}", StringComparison.Ordinal));
        }
    }
}
