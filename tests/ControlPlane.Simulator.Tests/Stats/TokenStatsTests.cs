using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Stats;

/// <summary>The stats sum the usage the completed answers carried: what probe spend accounting is checked against.</summary>
public sealed partial class TokenStatsTests : IAsyncLifetime
{
    private TestSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await TestSimulator.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task Tokens_SumTheUsageOfEachAnswer_StreamedOrNot_AndResetToZero()
    {
        long input, output;
        using (var plain = await _sim.SendAsync(_sim.Inference(TestSimulator.Anthropic)))
        {
            var usage = JsonNode.Parse(await plain.Content.ReadAsStringAsync())!["usage"]!;
            (input, output) = ((long)usage["input_tokens"]!, (long)usage["output_tokens"]!);
        }

        using (var streamed = await _sim.SendAsync(_sim.Inference(TestSimulator.Anthropic, stream: true)))
        {
            // message_start carries the input; the final message_delta the (cumulative) output.
            var events = await streamed.Content.ReadAsStringAsync();
            input += long.Parse(InputTokens().Match(events).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            output += long.Parse(OutputTokens().Matches(events)[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        var tokens = (await _sim.ControlGetAsync("providers/anthropic/stats"))["tokens"]!;

        Assert.True(input > 0 && output > 0);
        Assert.Equal(input, (long)tokens["input"]!);
        Assert.Equal(output, (long)tokens["output"]!);
        Assert.Equal(0, (long)tokens["reasoning"]!);

        using var reset = await _sim.Http.DeleteAsync(new Uri(_sim.Host.ControlUrl, "providers/anthropic/stats"));
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(new TokenStats(0, 0, 0), _sim.Host.StatsOf(TestSimulator.Anthropic).Tokens);
    }

    [Fact]
    public async Task Tokens_FailedAnswers_BillNothing()
    {
        using (await _sim.SendAsync(_sim.GeminiGenerate(key: "wrong")))
        {
        }

        await _sim.SetChaosAsync(TestSimulator.Gemini, new ChaosSettings { Mode = ChaosMode.ServerError });
        using (await _sim.SendAsync(_sim.Inference(TestSimulator.Gemini)))
        {
        }

        Assert.Equal(2, _sim.Host.StatsOf(TestSimulator.Gemini).Total);
        Assert.Equal(new TokenStats(0, 0, 0), _sim.Host.StatsOf(TestSimulator.Gemini).Tokens);
    }

    [GeneratedRegex("\"input_tokens\":(\\d+)")]
    private static partial Regex InputTokens();

    [GeneratedRegex("\"output_tokens\":(\\d+)")]
    private static partial Regex OutputTokens();
}
