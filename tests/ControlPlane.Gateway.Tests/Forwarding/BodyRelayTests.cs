using System.Text;
using ControlPlane.Gateway.Forwarding;

namespace ControlPlane.Gateway.Tests.Forwarding;

public sealed class BodyRelayTests
{
    [Theory]
    [InlineData("data: a\n\ndata: b", 9)]
    [InlineData("data: a\n\ndata: b\n\n", 18)]
    [InlineData("data: a\r\n\r\ndata: b", 11)]
    [InlineData("data: half", 0)]
    public void LastBoundary_EndsAfterTheLastCompleteEvent(string data, int expected) =>
        Assert.Equal(expected, BodyRelay.LastBoundary(Encoding.UTF8.GetBytes(data)));
}
