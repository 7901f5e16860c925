using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Testing;
using Xunit;

namespace ControlPlane.Service.Tests.Integration.Breakers;

/// <summary>
/// One healthy simulator and one service process with an operate key ("oncall") and a read-only key ("viewer").
/// Each test owns its own route and targets, so tests sharing the process cannot see each other's overrides.
/// </summary>
public abstract class OverridesFixtureBase : IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();
    private ControlPlaneStack? _stack;

    internal static TestApiKey Operator { get; } = TestApiKey.Create("oncall", "read", "operate");

    internal static TestApiKey Viewer { get; } = TestApiKey.Create("viewer", "read");

    internal static TestApiKey Stranger { get; } = TestApiKey.Create("stranger", "read", "operate");

    internal ControlPlaneStack Stack => _stack ?? throw new InvalidOperationException("Not started.");

    internal HttpClient Anonymous { get; private set; } = null!;

    internal HttpClient Operate { get; private set; } = null!;

    internal HttpClient ReadOnly { get; private set; } = null!;

    /// <summary>A key the service was never told about.</summary>
    internal HttpClient Unknown { get; private set; } = null!;

    internal abstract IReadOnlyList<TestRoute> Routes { get; }

    internal virtual IReadOnlyDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _stack = await ControlPlaneStack.CreateAsync(
            _database.ConnectionString, Routes, probeInterval: TimeSpan.FromSeconds(5), Environment, keys: [Operator, Viewer]);
        var replica = await _stack.StartReplicaAsync();
        Anonymous = ControlPlaneStack.Client(replica);
        Operate = ControlPlaneStack.Client(replica, Operator);
        ReadOnly = ControlPlaneStack.Client(replica, Viewer);
        Unknown = ControlPlaneStack.Client(replica, Stranger);
    }

    public async Task DisposeAsync()
    {
        foreach (var http in new[] { Anonymous, Operate, ReadOnly, Unknown })
        {
            http?.Dispose();
        }

        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    /// <summary>POSTs an override with the operate key and returns the created record.</summary>
    internal async Task<JsonElement> CreateOverrideAsync(object body)
    {
        using var response = await Operate.PostAsJsonAsync(new Uri("api/overrides", UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/overrides answered {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    internal async Task<RouteView> RouteAsync(string route) =>
        await OperationsReader.LatestRouteAsync(Anonymous, route) ?? throw new InvalidOperationException("No routing table yet.");

    internal Task UntilRouteAsync(string route, Func<RouteView, bool> condition, string because) =>
        Stack.UntilAsync(async () => await OperationsReader.LatestRouteAsync(Anonymous, route) is { } r && condition(r), because);
}

public sealed class OverridesFixture : OverridesFixtureBase
{
    internal static TestRoute Drain { get; } = new("r-drain", "anthropic", "openai", "m-drain");

    internal static TestRoute Ttl { get; } = new("r-ttl", "anthropic", "openai", "m-ttl");

    internal static TestRoute Pin { get; } = new("r-pin", "anthropic", "openai", "m-pin");

    internal static TestRoute Maintenance { get; } = new("r-maintenance", "anthropic", "openai", "m-maintenance");

    /// <summary>On a provider of its own, so draining that provider touches no other test's route.</summary>
    internal static TestRoute ProviderDrain { get; } = new("r-provider", "anthropic-eu", "openai", "m-provider");

    internal override IReadOnlyList<TestRoute> Routes { get; } = [Drain, Ttl, Pin, Maintenance, ProviderDrain];
}

/// <summary>The same stack with AdminApi:RequireKeyForReads, for the validation and auth tests.</summary>
public sealed class LockedDownFixture : OverridesFixtureBase
{
    internal static TestRoute Main { get; } = new("chat-default", "anthropic", "openai", "claude-sonnet-4-5");

    /// <summary>In the catalog but not in chat-default: a pin to it must be refused.</summary>
    internal static TestRoute Other { get; } = new("chat-cheap", "anthropic", "openai", "claude-haiku-4-5");

    internal override IReadOnlyList<TestRoute> Routes { get; } = [Main, Other];

    internal override IReadOnlyDictionary<string, string?> Environment { get; } =
        new Dictionary<string, string?> { ["AdminApi__RequireKeyForReads"] = "true" };
}
