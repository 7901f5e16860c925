using ControlPlane.Core.Health;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Health;

public sealed class ReportingGatewaysTests
{
    [Fact]
    public void Count_RisesAtOnce_AndFallsOnlyAfterAWholeSilentWindow()
    {
        var gateways = new ReportingGateways();
        Assert.Equal(1, gateways.CountAt(T0)); // no report yet: the fleet has (or will have) one

        gateways.Seen("gw-a", T0);
        gateways.Seen("gw-b", T0.AddSeconds(1));
        gateways.Seen("gw-a", T0.AddSeconds(2));
        Assert.Equal(2, gateways.CountAt(T0.AddSeconds(2)));

        // gw-b goes quiet; gw-a keeps reporting.
        gateways.Seen("gw-a", T0.AddSeconds(50));
        Assert.Equal(2, gateways.CountAt(T0.AddSeconds(60)));
        Assert.Equal(1, gateways.CountAt(T0.AddSeconds(62)));
    }

    [Fact]
    public void Seen_AnOlderReportDoesNotMoveTheLastSightingBack()
    {
        var gateways = new ReportingGateways();
        gateways.Seen("gw-a", T0.AddSeconds(30));
        gateways.Seen("gw-a", T0);
        gateways.Seen("gw-b", T0.AddSeconds(30));

        Assert.Equal(2, gateways.CountAt(T0.AddSeconds(80)));
    }
}
