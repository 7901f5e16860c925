namespace ControlPlane.Contracts.Tests.Retry;

public sealed class DeliveryBackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Fact]
    public void Next_GrowsExponentially_IsCapped_AndJittersWithinHalfTheStep()
    {
        Assert.Equal(TimeSpan.FromSeconds(0.5), DeliveryBackoff.Next(1, Base, Max, 0));
        Assert.Equal(TimeSpan.FromSeconds(1), DeliveryBackoff.Next(1, Base, Max, 1));
        Assert.Equal(TimeSpan.FromSeconds(4), DeliveryBackoff.Next(4, Base, Max, 0));
        Assert.Equal(TimeSpan.FromSeconds(8), DeliveryBackoff.Next(4, Base, Max, 1));
        Assert.Equal(TimeSpan.FromSeconds(30), DeliveryBackoff.Next(20, Base, Max, 1));
        Assert.Equal(TimeSpan.FromSeconds(15), DeliveryBackoff.Next(20, Base, Max, 0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Next_NoFailuresYet_WaitsOneBaseStep(int attempts) =>
        Assert.Equal(Base, DeliveryBackoff.Next(attempts, Base, Max, 1));

    [Fact]
    public void Next_HugeAttemptCount_StaysAtTheCapWithoutOverflow() =>
        Assert.Equal(Max, DeliveryBackoff.Next(int.MaxValue, Base, Max, 1));

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(2, 2)]
    public void Next_RandomOutsideUnitRange_IsClampedToTheStep(double random, double expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), DeliveryBackoff.Next(2, Base, Max, random));
}
