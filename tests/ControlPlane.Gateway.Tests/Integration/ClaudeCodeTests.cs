using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Xunit.Abstractions;

namespace ControlPlane.Gateway.Tests.Integration;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClaudeCodeStackCollection : ICollectionFixture<ClaudeCodeStack>
{
    public const string Name = "claude code stack";
}

/// <summary>
/// One route reached by Claude Code's own model ids through the alias <c>claude-*</c>: tier 0 Anthropic, tier 1 OpenAI,
/// tier 2 Gemini, each its own simulated provider, so the test can take them down one after the other. The CLI is
/// installed from examples/claude-code (npm ci, pinned by its package-lock.json) once per run.
/// </summary>
public sealed class ClaudeCodeStack : IAsyncLifetime
{
    public static readonly TestRoute Route = new("claude-code", "anthropic-cc", "openai-cc", "claude-sonnet-4-5")
    {
        SecondaryModel = "gpt-4.1",
        MoreTiers = [("gemini-cc", "gemini-2.5-flash")],
        Aliases = ["claude-*"],
    };

    private const string Package = "@anthropic-ai/claude-code";

    public static readonly string Directory = Path.Combine(ServiceProcess.RepositoryRoot(), "examples", "claude-code");

    private readonly PostgresDatabase _database = new();

    public ControlPlaneStack Stack { get; private set; } = null!;

    public ServiceProcess ControlPlane { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Installing first: the stack's processes would otherwise idle (and probe) through npm's download.
        await InstallAsync();
        await _database.InitializeAsync();
        Stack = await ControlPlaneStack.CreateAsync(
            _database.ConnectionString,
            [Route],
            probeInterval: TimeSpan.FromSeconds(2),
            environment: new Dictionary<string, string?>
            {
                ["Breakers__BaseBreakDuration"] = "00:00:30",
                ["Breakers__MaxBreakDuration"] = "00:01:00",
                ["Logging__LogLevel__Quartz"] = "Warning",
                ["Logging__LogLevel__MassTransit"] = "Warning",
            });
        ControlPlane = await Stack.StartReplicaAsync();
        Gateway = await Stack.StartGatewayAsync(GatewayStack.FastSafetyNet);
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    /// <summary>Waits until the control plane's table makes <paramref name="eligible"/> hold for the target, then until the gateway applied it.</summary>
    public async Task UntilTargetAsync(string route, string target, bool eligible, string because)
    {
        long version = 0;
        await Stack.UntilAsync(async () =>
        {
            using var http = new HttpClient { BaseAddress = ControlPlane.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
            using var response = await http.GetAsync(new Uri("/api/routing-table", UriKind.Relative));
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            var table = Contracts.ContractsJson.DeserializeRoutingTableChanged(await response.Content.ReadAsByteArrayAsync());
            var entry = table.Table.Routes.Single(r => r.Route == route).Tiers.SelectMany(t => t.Targets).Single(t => t.Target == target);
            if ((entry.Eligible && entry.Weight > 0) != eligible)
            {
                return false;
            }

            version = table.Version;
            return true;
        }, because, TimeSpan.FromSeconds(90));
        await Stack.UntilAsync(async () => await GatewayStack.GatewayVersionAsync(Gateway) >= version, $"the gateway applies version {version}");
    }

    /// <summary>Successful answers the gateway relayed from a target, from its own metrics (probes are not in them).</summary>
    public async Task<double> AnswersFromAsync(string target)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await PrometheusText.ScrapeAsync(http, Gateway.BaseUrl);
        return metrics.Sum("gateway_upstream_attempts_total", labels =>
            labels.GetValueOrDefault("target") == target && labels.GetValueOrDefault("outcome") == "success");
    }

    /// <summary>
    /// npm ci (no prompts, works with CI=true and no stdin) unless node_modules already holds the pinned version: the
    /// ~400 MB native binary is then reused between runs, and npm's own cache (~/.npm) serves a reinstall.
    /// </summary>
    private static async Task InstallAsync()
    {
        var pinned = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Directory, "package.json")))!["dependencies"]![Package]!.GetValue<string>();
        var installedManifest = Path.Combine(Directory, "node_modules", "@anthropic-ai", "claude-code", "package.json");
        if (File.Exists(Path.Combine(Directory, "node_modules", ".bin", "claude")) && File.Exists(installedManifest)
            && JsonNode.Parse(await File.ReadAllTextAsync(installedManifest))!["version"]!.GetValue<string>() == pinned)
        {
            return;
        }

        var (exit, output) = await ProcessRun.RunAsync(Directory, "npm", ["ci", "--no-audit", "--no-fund"], [], TimeSpan.FromMinutes(5));
        if (exit != 0)
        {
            throw new InvalidOperationException($"npm ci in examples/claude-code failed ({exit}):\n{output}");
        }
    }
}

/// <summary>
/// The real Claude Code CLI (examples/claude-code pins it) in print mode through the gateway, with no model
/// configuration of its own: it sends its own model id, which reaches the route by the alias <c>claude-*</c>. With
/// the Anthropic target hard down it is answered by the OpenAI target, then (OpenAI down too) by the Gemini target,
/// each time through a tool round trip: the simulated model asks for Claude Code's Read tool on a file only the
/// test wrote, Claude Code reads it and sends the result back, the model answers with what the tool said, and
/// Claude Code prints that.
/// </summary>
[Collection(ClaudeCodeStackCollection.Name)]
public sealed class ClaudeCodeTests(ClaudeCodeStack fixture, ITestOutputHelper log)
{
    private static readonly TestRoute Route = ClaudeCodeStack.Route;
    private static readonly string Anthropic = Route.Primary;
    private static readonly string OpenAi = Route.Secondary;
    private static readonly string Gemini = $"{Route.MoreTiers[0].Provider}/{Route.MoreTiers[0].Model}";

    [Fact]
    public async Task ClaudeCode_AnthropicDown_AnsweredByOpenAiThenGemini_WithAToolRoundTrip()
    {
        var stack = fixture;
        var simulator = stack.Stack.Simulator;
        try
        {
            await simulator.SetChaosAsync(Route.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.Refuse });
            await stack.UntilTargetAsync(Route.Id, Anthropic, eligible: false, "the Anthropic target is out");
            await stack.UntilTargetAsync(Route.Id, OpenAi, eligible: true, "the OpenAI target is in");
            simulator.ResetStats(Route.PrimaryProvider); // its healthy probes before the outage

            var (openAiOutput, openAiWord) = await RunClaudeAsync();
            Assert.Contains("tool said:", openAiOutput, StringComparison.Ordinal);
            Assert.Contains(openAiWord, openAiOutput, StringComparison.Ordinal);
            // Two answers at least: the tool call, then the final text after the tool result.
            Assert.True(await stack.AnswersFromAsync(OpenAi) >= 2, $"the OpenAI target answered both turns\n{openAiOutput}\n{stack.Stack.Output()}");
            Assert.Equal(0, await stack.AnswersFromAsync(Anthropic));
            Assert.Equal(0, await stack.AnswersFromAsync(Gemini));
            Assert.False(simulator.StatsOf(Route.PrimaryProvider).ByOutcome.ContainsKey("ok"), "no answer from Anthropic");

            await simulator.SetChaosAsync(Route.SecondaryProvider, new ChaosSettings { Mode = ChaosMode.Refuse });
            await stack.UntilTargetAsync(Route.Id, OpenAi, eligible: false, "the OpenAI target is out");
            var openAiAnswers = await stack.AnswersFromAsync(OpenAi);

            var (geminiOutput, geminiWord) = await RunClaudeAsync();
            Assert.Contains("tool said:", geminiOutput, StringComparison.Ordinal);
            Assert.Contains(geminiWord, geminiOutput, StringComparison.Ordinal);
            Assert.True(await stack.AnswersFromAsync(Gemini) >= 2, $"the Gemini target answered both turns\n{geminiOutput}\n{stack.Stack.Output()}");
            Assert.Equal(openAiAnswers, await stack.AnswersFromAsync(OpenAi));
            Assert.Equal(0, await stack.AnswersFromAsync(Anthropic));
            Assert.False(simulator.StatsOf(Route.PrimaryProvider).ByOutcome.ContainsKey("ok"), "no answer from Anthropic");
        }
        finally
        {
            foreach (var provider in Route.Tiers.Select(t => t.Provider))
            {
                var stats = simulator.StatsOf(provider);
                log.WriteLine($"{provider}: {string.Join(", ", stats.ByPath.Select(p => $"{p.Key}={p.Value}"))}; {string.Join(", ", stats.ByOutcome.Select(o => $"{o.Key}={o.Value}"))}");
            }

            using var http = new HttpClient { BaseAddress = stack.Gateway.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            log.WriteLine(string.Join("\n", metrics.Split('\n').Where(l => l.StartsWith("gateway_requests_total", StringComparison.Ordinal) || l.StartsWith("gateway_translated_requests_total", StringComparison.Ordinal))));
            await simulator.SetChaosAsync(Route.PrimaryProvider, ChaosSettings.Healthy);
            await simulator.SetChaosAsync(Route.SecondaryProvider, ChaosSettings.Healthy);
        }
    }

    /// <summary>
    /// One print-mode run in a throwaway HOME and working directory holding a file with a fresh word; the prompt
    /// carries the simulator's directive to call Read on it. Returns what Claude Code printed and the word.
    /// </summary>
    private async Task<(string Output, string Word)> RunClaudeAsync()
    {
        var scratch = System.IO.Directory.CreateTempSubdirectory("claude-code-it-");
        try
        {
            var home = System.IO.Directory.CreateDirectory(Path.Combine(scratch.FullName, "home")).FullName;
            var work = System.IO.Directory.CreateDirectory(Path.Combine(scratch.FullName, "work")).FullName;
            var word = $"zebra-{Guid.NewGuid():N}"[..20];
            var file = Path.Combine(work, "note.txt");
            await File.WriteAllTextAsync(file, $"the secret word is {word}\n");
            var prompt = $"What does note.txt say? [[call:Read {{\"file_path\":\"{file}\"}}]]";

            var claude = Path.Combine(ClaudeCodeStack.Directory, "node_modules", ".bin", "claude");
            var (exit, output) = await ProcessRun.RunAsync(work, claude, ["-p", prompt, "--allowedTools", "Read"], new()
            {
                ["HOME"] = home,
                ["ANTHROPIC_BASE_URL"] = fixture.Gateway.BaseUrl.ToString().TrimEnd('/'),
                ["ANTHROPIC_API_KEY"] = "x",
                // Nothing beyond the gateway: no telemetry, error reports, update checks or auto-update.
                ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
                ["DISABLE_AUTOUPDATER"] = "1",
                ["DISABLE_TELEMETRY"] = "1",
                ["DISABLE_ERROR_REPORTING"] = "1",
                ["CI"] = "true",
            }, TimeSpan.FromMinutes(2));
            log.WriteLine($"claude -p printed:\n{output}");
            Assert.True(exit == 0, $"claude -p exited with {exit}:\n{output}\n{fixture.Stack.Output()}");
            return (output, word);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}

/// <summary>Runs a process to its end and returns its exit code with stdout and stderr.</summary>
internal static class ProcessRun
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string directory, string command, string[] arguments, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(command)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
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
        // No stdin, as in CI: print mode must not wait for input.
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"timed out after {timeout}\n--- stdout ---\n{await stdout}\n--- stderr ---\n{await stderr}");
        }

        var text = new StringBuilder().Append(await stdout);
        var errors = await stderr;
        if (errors.Length > 0)
        {
            text.Append("\n--- stderr ---\n").Append(errors);
        }

        return (process.ExitCode, text.ToString());
    }
}
