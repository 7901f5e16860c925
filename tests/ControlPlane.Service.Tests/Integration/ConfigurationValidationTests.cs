using ControlPlane.Testing;
using Npgsql;

namespace ControlPlane.Service.Tests.Integration;

/// <summary>A bad configuration stops the process at start, naming every problem at once (not just the first).</summary>
public sealed class ConfigurationValidationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task InvalidCatalogAndAdminKeys_FailStartup_NamingEveryProblem()
    {
        var unsetVariable = $"CP_IT_UNSET_{Guid.NewGuid():N}";
        var headerSecret = $"sk-header-{Guid.NewGuid():N}";
        using var config = ConfigFile.Write(new
        {
            Catalog = new
            {
                Providers = new object[]
                {
                    new { Id = "p-kind", Kind = "not-a-kind", BaseUrl = "http://127.0.0.1:9/" },
                    new { Id = "p-key", Kind = "anthropic", BaseUrl = "http://127.0.0.1:9/", ApiKeyEnv = unsetVariable },
                    new { Id = "p-local", Kind = "openai-compatible", BaseUrl = "http://127.0.0.1:9/", Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + headerSecret } },
                    new { Id = "p-local", Kind = "openai-compatible", BaseUrl = "http://127.0.0.1:9/" },
                },
                Targets = new object[]
                {
                    new { Provider = "p-local", Model = "m1" },
                    new { Provider = "p-local", Model = "m1" },
                    new { Provider = "p-local", Model = "m2", Probe = new { Interval = "00:00:00" } },
                    new { Provider = "p-local", Model = "m3", Probe = new { Interval = "00:00:05", Timeout = "00:00:10" } },
                },
                Routes = new object[]
                {
                    new { Id = "chat", Tiers = new[] { new { Targets = new[] { new { Target = "nope/none", Weight = 1 } } } } },
                },
            },
            AdminApi = new
            {
                Keys = new object[]
                {
                    new { Name = "ops", Sha256 = "not-a-hash", Scopes = new[] { "read" } },
                    new { Name = "deployer", Sha256 = new string('a', 64), Scopes = new[] { "admin" } },
                },
            },
        });

        var (exitCode, output) = await RunAsync(config.Path);

        Assert.NotEqual(0, exitCode);
        string[] problems =
        [
            "unknown provider kind 'not-a-kind'",
            $"environment variable '{unsetVariable}' named by ApiKeyEnv is not set",
            "header 'Authorization' carries credentials",
            "duplicate provider id 'p-local'",
            "duplicate target id 'p-local/m1'",
            "Interval must be greater than zero",
            "must not exceed Interval",
            "unknown target 'nope/none'",
            "Sha256 must be 64 hex characters",
            "unknown scope 'admin'",
        ];
        var missing = problems.Where(p => !output.Contains(p, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"not named: {string.Join(" | ", missing)}\n--- output ---\n{output}");
        Assert.DoesNotContain(headerSecret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyCatalog_FailsStartup_SayingWhatIsMissing()
    {
        using var config = ConfigFile.Write(new { Catalog = new { Providers = Array.Empty<object>() } });

        var (exitCode, output) = await RunAsync(config.Path);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Catalog:Providers is empty", output, StringComparison.Ordinal);
        Assert.Contains("Catalog:Targets is empty", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs the service against a database that does not exist: validation must fail first, so the output is about
    /// the configuration, not about Postgres.
    /// </summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string configPath)
    {
        var server = await TestServices.PostgresAsync();
        var missingDatabase = new NpgsqlConnectionStringBuilder(server) { Database = $"cp_missing_{Guid.NewGuid():N}" }.ConnectionString;
        return await ServiceProcess.RunToCompletionAsync(
            "ControlPlane.Service",
            new Dictionary<string, string?>
            {
                ["ConnectionStrings__ControlPlane"] = missingDatabase,
                [ConfigFile.Variable] = configPath,
            },
            [],
            Timeout);
    }
}
