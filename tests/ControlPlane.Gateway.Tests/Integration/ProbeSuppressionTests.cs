using System.Text.Json;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// Traffic-aware probing end to end: while the gateway's traffic reports cover a target, the control plane stops
/// paying for inference probes there and only checks that the provider answers (list models); once traffic stops,
/// inference probing returns by itself.
/// </summary>
[Collection(GatewayStackCollection.Name)]
public sealed class ProbeSuppressionTests(GatewayStack stack)
{
    private static readonly string Target = GatewayStack.Quiet.Primary;

    [Fact]
    public async Task GatewayTraffic_SwitchesInferenceProbesOff_AndTheyReturnWhenTrafficStops()
    {
        using var controlPlane = new HttpClient { BaseAddress = stack.ControlPlane.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        await stack.Stack.UntilAsync(
            async () => await LatestSampleModeAsync(controlPlane) == "inference",
            "the quiet route's primary has an inference probe sample");

        var since = DateTimeOffset.UtcNow;
        await using (var traffic = new SteadyClient(stack.Gateway, GatewayStack.Quiet.Id, concurrency: 2))
        {
            await stack.Stack.UntilAsync(
                async () => (await CadenceAsync(controlPlane)) is { Suppressed: true, Mode: "models" },
                "gateway traffic covers the target, so the leader suppresses its inference probes");
            await stack.Stack.UntilAsync(
                async () => (await SamplesSinceAsync(controlPlane, since)).Any(s => s == "models"),
                "the target is probed with list-models while covered");
            Assert.Empty(traffic.Failures);
        }

        var stopped = DateTimeOffset.UtcNow;
        await stack.Stack.UntilAsync(
            async () => (await CadenceAsync(controlPlane)) is { Suppressed: false, Mode: "inference" },
            "traffic stopped: the coverage horizon passes and suppression ends");
        await stack.Stack.UntilAsync(
            async () => (await SamplesSinceAsync(controlPlane, stopped)).Contains("inference"),
            "inference probing returns");
    }

    private static async Task<(bool Suppressed, string Mode)?> CadenceAsync(HttpClient controlPlane)
    {
        using var targets = JsonDocument.Parse(await controlPlane.GetStringAsync(new Uri("/api/targets", UriKind.Relative)));
        foreach (var target in targets.RootElement.EnumerateArray())
        {
            if (target.GetProperty("id").GetString() == Target)
            {
                var cadence = target.GetProperty("cadence");
                return (cadence.GetProperty("suppressed").GetBoolean(), cadence.GetProperty("mode").GetString()!);
            }
        }

        return null;
    }

    private static async Task<string?> LatestSampleModeAsync(HttpClient controlPlane) =>
        (await SamplesSinceAsync(controlPlane, DateTimeOffset.UtcNow.AddMinutes(-5))).LastOrDefault();

    /// <summary>The modes of the target's stored probe samples since <paramref name="since"/>, oldest first.</summary>
    private static async Task<List<string>> SamplesSinceAsync(HttpClient controlPlane, DateTimeOffset since)
    {
        var from = Uri.EscapeDataString(since.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        using var samples = JsonDocument.Parse(await controlPlane.GetStringAsync(
            new Uri($"/api/samples?target={Uri.EscapeDataString(Target)}&from={from}", UriKind.Relative)));
        return samples.RootElement.EnumerateArray().Select(s => s.GetProperty("mode").GetString()!).ToList();
    }
}
