using System.Diagnostics;
using System.Text.Json.Nodes;
using ControlPlane.Simulator;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClaudeCodeStackCollection : ICollectionFixture<ClaudeCodeStack>
{
    public const string Name = "claude code stack";
}

/// <summary>
/// One route whose tiers are three API kinds (Anthropic, then OpenAI, then Gemini), reached by Claude Code's own
/// model ids through the <c>claude-*</c> alias; one control-plane replica and one gateway. Same timings as
/// <see cref="GatewayStack"/>.
/// </summary>
public sealed class ClaudeCodeStack : IAsyncLifetime
{
    public static readonly TestRoute Route = new("claude-code", "anthropic-cc", "openai-cc", "claude-sonnet-4-5")
    {
        SecondaryModel = "gpt-4.1",
        MoreTiers = [("gemini-cc", "gemini-2.5-flash")],
        Aliases = ["claude-*"],

        // Claude Code asks for 128,000 output tokens; gpt-4.1 and gemini-2.5-flash refuse that (so does the simulator),
        // which is what an overlay's ceiling is for (docs/configuration.md, "Overlays").
        Overlays = new Dictionary<string, JsonObject>
        {
            ["openai-cc"] = new() { ["Clamps"] = new JsonObject { ["MaxTokens"] = 16384 }, ["Remove"] = new JsonArray("reasoning") },
            ["gemini-cc"] = new() { ["Clamps"] = new JsonObject { ["MaxTokens"] = 16384 } },
        },
    };

    public const string Anthropic = "anthropic-cc";
    public const string OpenAi = "openai-cc";
    public const string Gemini = "gemini-cc";

    private readonly PostgresDatabase _database = new();

    public ControlPlaneStack Stack { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Stack = await ControlPlaneStack.CreateAsync(
            _database.ConnectionString,
            [Route],
            probeInterval: TimeSpan.FromSeconds(2),
            environment: new Dictionary<string, string?>
            {
                ["Breakers__BaseBreakDuration"] = "00:00:02",
                ["Breakers__MaxBreakDuration"] = "00:00:04",
                ["Breakers__SlowStartDuration"] = "00:00:01",
                ["Logging__LogLevel__Quartz"] = "Warning",
                ["Logging__LogLevel__MassTransit"] = "Warning",
            });
        await Stack.StartReplicaAsync();
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
}

/// <summary>
/// The headline: Claude Code (the real CLI, examples/claude-code, offline) keeps working while Anthropic is
/// down, its Messages requests — tools, thinking, context management — translated to OpenAI and then Gemini, with a
/// tool-call round trip each time.
/// </summary>
[Collection(ClaudeCodeStackCollection.Name)]
public sealed class ClaudeCodeFailoverTests(ClaudeCodeStack stack) : IAsyncLifetime
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    private readonly string _scratch = Directory.CreateTempSubdirectory("claude-code-it-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var provider in new[] { ClaudeCodeStack.Anthropic, ClaudeCodeStack.OpenAi, ClaudeCodeStack.Gemini })
        {
            await stack.Stack.Simulator.SetChaosAsync(provider, ChaosSettings.Healthy);
        }

        Directory.Delete(_scratch, recursive: true);
    }

    [Fact]
    public async Task ClaudeCode_AnthropicDown_ToolRoundTripAnsweredByOpenAiThenByGeminiWhenOpenAiIsDownToo()
    {
        var claude = await ClaudeBinaryAsync();
        var simulator = stack.Stack.Simulator;

        // Run 1: Anthropic refuses connections; the answer (and the tool call before it) comes from the OpenAI tier.
        await simulator.SetChaosAsync(ClaudeCodeStack.Anthropic, new ChaosSettings { Mode = ChaosMode.Refuse });
        await RunAndAssertAsync(claude, answeredBy: ClaudeCodeStack.OpenAi, api: "OpenAiChat");

        // Run 2: OpenAI refuses too; Gemini answers.
        await simulator.SetChaosAsync(ClaudeCodeStack.OpenAi, new ChaosSettings { Mode = ChaosMode.Refuse });
        await RunAndAssertAsync(claude, answeredBy: ClaudeCodeStack.Gemini, api: "GeminiGenerateContent");
    }

    private async Task RunAndAssertAsync(string claude, string answeredBy, string api)
    {
        // The token exists only in the file, so it can reach stdout only through Read's result and the final answer.
        var token = $"token-{Guid.NewGuid():N}";
        var work = Directory.CreateDirectory(Path.Combine(_scratch, answeredBy)).FullName;
        var note = Path.Combine(work, "note.txt");
        await File.WriteAllTextAsync(note, $"the note says {token}\n");

        var attemptsBefore = await AttemptsAsync(answeredBy);
        var anthropicBefore = await AttemptsAsync(ClaudeCodeStack.Anthropic);
        var translatedBefore = await TranslatedAsync(api);
        var reachedBefore = stack.Stack.Simulator.StatsOf(answeredBy).Total;

        var prompt = $$"""Read the note and tell me what it says. [[call:Read {"file_path":"{{note}}"}]]""";
        var run = await RunClaudeAsync(claude, work, prompt);
        var context = $"claude exited {run.ExitCode}\n--- stdout ---\n{run.Stdout}\n--- stderr ---\n{run.Stderr}\n{stack.Stack.Output()}";

        Assert.True(run.ExitCode == 0, context);
        Assert.Contains("tool said:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(token, run.Stdout, StringComparison.Ordinal);

        // Two answers came through translation from the expected target: the tool call, then the final text.
        Assert.True(await AttemptsAsync(answeredBy) - attemptsBefore >= 2, $"successful attempts on {answeredBy}\n{context}");
        Assert.True(await AttemptsAsync(ClaudeCodeStack.Anthropic) == anthropicBefore, $"the refused Anthropic target answered\n{context}");
        Assert.True(await TranslatedAsync(api) - translatedBefore >= 2, $"Messages translated to {api}\n{context}");
        Assert.True(stack.Stack.Simulator.StatsOf(answeredBy).Total - reachedBefore >= 2, $"requests reaching {answeredBy}\n{context}");
    }

    private async Task<double> AttemptsAsync(string provider)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await PrometheusText.ScrapeAsync(http, stack.Gateway.BaseUrl);
        return metrics.Sum("gateway_upstream_attempts_total", labels =>
            labels.GetValueOrDefault("target")?.StartsWith(provider + "/", StringComparison.Ordinal) == true
            && labels.GetValueOrDefault("outcome") == "success");
    }

    private async Task<double> TranslatedAsync(string api)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await PrometheusText.ScrapeAsync(http, stack.Gateway.BaseUrl);
        return metrics.Sum("gateway_translated_requests_total", labels =>
            labels.GetValueOrDefault("from") == "AnthropicMessages" && labels.GetValueOrDefault("to") == api);
    }

    /// <summary>
    /// Claude Code in print mode with no model setting of its own (so it sends its default claude-* id), offline:
    /// a scratch HOME, no telemetry or update checks, stdin closed, only the Read tool allowed without a prompt.
    /// </summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> RunClaudeAsync(string claude, string work, string prompt)
    {
        var home = Directory.CreateDirectory(Path.Combine(work, "home")).FullName;
        var info = new ProcessStartInfo(claude)
        {
            WorkingDirectory = work,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-p", prompt, "--allowedTools", "Read" })
        {
            info.ArgumentList.Add(argument);
        }

        // Nothing from the developer's own Claude setup may leak in (a model, a token, a proxy to the real API).
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ANTHROPIC_", StringComparison.Ordinal) || k.StartsWith("CLAUDE", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["HOME"] = home;
        info.Environment["XDG_CONFIG_HOME"] = Path.Combine(home, ".config");
        info.Environment["ANTHROPIC_BASE_URL"] = stack.Gateway.BaseUrl.ToString().TrimEnd('/');
        info.Environment["ANTHROPIC_API_KEY"] = "sk-ant-fake-claude-code-test";
        info.Environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
        info.Environment["DISABLE_AUTOUPDATER"] = "1";
        info.Environment["DISABLE_TELEMETRY"] = "1";
        info.Environment["DISABLE_ERROR_REPORTING"] = "1";
        info.Environment["CI"] = "true";

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, await stdout, $"timed out after {RunTimeout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// The native binary from the platform package npm picked (@anthropic-ai/claude-code-&lt;os&gt;-&lt;arch&gt;); the
    /// wrapper package's bin is only linked to it by an install script, which npm may not run.
    /// </summary>
    private static async Task<string> ClaudeBinaryAsync()
    {
        var directory = Path.Combine(ServiceProcess.RepositoryRoot(), "examples", "claude-code");
        // Reinstalled when node_modules holds another version than the pin (a kept node_modules outlives a version bump).
        if (!await HoldsPinnedVersionAsync(directory))
        {
            var (installed, installOutput) = await NpmCiAsync(directory);
            Assert.True(installed == 0, $"npm ci failed:\n{installOutput}");
        }

        var scope = Path.Combine(directory, "node_modules", "@anthropic-ai");
        var binary = Directory.EnumerateDirectories(scope, "claude-code-*")
            .OrderBy(d => d.EndsWith("-musl", StringComparison.Ordinal))
            .Select(d => Path.Combine(d, "claude"))
            .FirstOrDefault(File.Exists);
        Assert.True(binary is not null, $"no native Claude Code binary under {scope}");
        return binary;
    }

    private static async Task<bool> HoldsPinnedVersionAsync(string directory)
    {
        const string Package = "@anthropic-ai/claude-code";
        var installed = Path.Combine(directory, "node_modules", "@anthropic-ai", "claude-code", "package.json");
        if (!File.Exists(installed))
        {
            return false;
        }

        var pinned = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "package.json")))!["dependencies"]![Package]!.GetValue<string>();
        return JsonNode.Parse(await File.ReadAllTextAsync(installed))!["version"]!.GetValue<string>() == pinned;
    }

    private static async Task<(int ExitCode, string Output)> NpmCiAsync(string directory)
    {
        var info = new ProcessStartInfo("npm")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The postinstall script only copies the native binary over the wrapper's placeholder (and wants a newer Node
        // than some machines have); the test runs the binary from its platform package directly.
        foreach (var argument in new[] { "ci", "--ignore-scripts", "--no-audit", "--no-fund" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
