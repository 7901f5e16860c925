using System.Diagnostics;
using System.Text.Json;
using ControlPlane.Client.Tests.Support;
using ControlPlane.Testing;

namespace ControlPlane.Client.Tests.Examples;

/// <summary>A [Fact] that is skipped, saying why, when <c>node</c> is not on PATH.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (NodeSubscriberTests.Which("node") is null)
        {
            Skip = "node is not on PATH: install Node.js 18+ to run the Node subscriber example test.";
        }
    }
}

/// <summary>
/// examples/node-subscriber, a subscriber with no .NET in it (amqplib + Node crypto), against the real broker:
/// proves the wire format, the canonical JSON rule and the signature are reproducible from docs/protocol.md.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class NodeSubscriberTests
{
    private static readonly string Example = Path.Combine(ServiceProcess.RepositoryRoot(), "examples", "node-subscriber");

    public static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    [NodeFact]
    public async Task NodeSubscriber_VerifiesATablePublishedToTheExchange_AndRejectsATamperedOne()
    {
        await EnsureNodeModulesAsync();
        using var tables = new TestTables();
        await using var broker = await Broker.ConnectAsync();
        var v = Broker.NextVersions(2);

        var info = new ProcessStartInfo(Which("node")!, "subscribe.mjs")
        {
            WorkingDirectory = Example,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["AMQP_URL"] = broker.Uri.ToString();
        info.Environment["TRUSTED_KEYS"] = JsonSerializer.Serialize(new Dictionary<string, string> { [TestTables.KeyId] = tables.PublicKeyPem });
        info.Environment["MAX_MESSAGES"] = "1";
        info.Environment["TIMEOUT_MS"] = "30000";
        using var node = Process.Start(info)!;
        var stderr = node.StandardError.ReadToEndAsync();
        var lines = new List<JsonElement>();

        async Task<JsonElement> NextLineAsync()
        {
            var line = await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(40))
                ?? throw new InvalidOperationException($"node exited early: {await stderr}");
            var element = JsonDocument.Parse(line).RootElement.Clone();
            lines.Add(element);
            return element;
        }

        Assert.Equal("ready", (await NextLineAsync()).GetProperty("event").GetString());
        await broker.PublishAsync(tables.Tampered(v), "tampered");
        await broker.PublishAsync(tables.Signed(v + 1));

        var rejected = await NextLineAsync();
        var verified = await NextLineAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(("rejected", "bad-signature", v), (rejected.GetProperty("event").GetString(), rejected.GetProperty("result").GetString(), rejected.GetProperty("version").GetInt64()));
        Assert.Equal(("verified", v + 1, TestTables.KeyId), (verified.GetProperty("event").GetString(), verified.GetProperty("version").GetInt64(), verified.GetProperty("keyId").GetString()));
        Assert.Equal(0, node.ExitCode);
    }

    private static async Task EnsureNodeModulesAsync()
    {
        if (Directory.Exists(Path.Combine(Example, "node_modules", "amqplib")))
        {
            return;
        }

        var npm = Which("npm") ?? throw new InvalidOperationException("node is on PATH but npm is not: cannot install amqplib.");
        var info = new ProcessStartInfo(npm, "ci --no-audit --no-fund")
        {
            WorkingDirectory = Example,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(process.ExitCode == 0, $"npm ci failed: {await output}{await error}");
    }
}
