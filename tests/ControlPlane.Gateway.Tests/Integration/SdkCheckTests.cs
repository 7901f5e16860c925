using System.Diagnostics;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>The official Node SDKs (openai, @anthropic-ai/sdk), unmodified, against the gateway: examples/sdk-check.</summary>
[Collection(GatewayStackCollection.Name)]
public sealed class SdkCheckTests(GatewayStack stack)
{
    private static readonly string Directory = Path.Combine(ServiceProcess.RepositoryRoot(), "examples", "sdk-check");

    [Fact]
    public async Task OfficialOpenAiAndAnthropicSdks_WorkUnmodified_StreamingAndNot()
    {
        await InstallAsync();
        await stack.UntilTargetAsync(GatewayStack.Chat.Id, GatewayStack.Chat.Primary, eligible: true, "the route is healthy");
        var (exit, output) = await RunAsync(Directory, "node", ["check.mjs"], new()
        {
            ["GATEWAY_URL"] = stack.Gateway.BaseUrl.ToString(),
            ["GATEWAY_ROUTE"] = GatewayStack.Chat.Id,
        });

        Assert.True(exit == 0, $"node check.mjs exited with {exit}:\n{output}");
        Assert.Contains("\"ok\":true", output, StringComparison.Ordinal);
        Assert.Contains("anthropic messages.create stream", output, StringComparison.Ordinal);
        Assert.Contains("openai chat.completions.create stream", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every client API (Chat Completions, Responses, Messages) through its official SDK against routes of one target
    /// kind each (anthropic, openai, gemini), streaming and not, with and without a tool round trip: 36 cases.
    /// </summary>
    [Fact]
    public async Task SdkMatrix_EveryClientApiAgainstEveryTargetKind_ContentToolCallsFinishAndUsage()
    {
        await InstallAsync();
        foreach (var route in new[] { GatewayStack.Chat, GatewayStack.Gpt, GatewayStack.Gem })
        {
            await stack.UntilTargetAsync(route.Id, route.Primary, eligible: true, $"route {route.Id} is healthy");
        }

        var (exit, output) = await RunAsync(Directory, "node", ["matrix.mjs"], new()
        {
            ["GATEWAY_URL"] = stack.Gateway.BaseUrl.ToString(),
            ["MATRIX_ROUTES"] = $"anthropic:{GatewayStack.Chat.Id},openai:{GatewayStack.Gpt.Id},gemini:{GatewayStack.Gem.Id}",
        });

        Assert.True(exit == 0, $"node matrix.mjs exited with {exit}:\n{output}\n{stack.Stack.Output()}");
        Assert.Contains("\"passed\": 37", output, StringComparison.Ordinal);
    }

    private static async Task InstallAsync()
    {
        if (!System.IO.Directory.Exists(Path.Combine(Directory, "node_modules")))
        {
            var (installed, installOutput) = await RunAsync(Directory, "npm", ["ci", "--no-audit", "--no-fund"], []);
            Assert.True(installed == 0, $"npm ci failed:\n{installOutput}");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string directory, string command, string[] arguments, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(command)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
