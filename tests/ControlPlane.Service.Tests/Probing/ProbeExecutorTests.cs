using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Simulator;
using static ControlPlane.Service.Tests.Probing.SimulatedProvidersFixture;

namespace ControlPlane.Service.Tests.Probing;

/// <summary>
/// The real ProbeExecutor over real HTTP against the provider simulator, one provider of each kind.
/// Chaos is per provider, so the tests of this class run one after another (xUnit's default within a class).
/// </summary>
public sealed class ProbeExecutorTests(SimulatedProvidersFixture fixture) : IClassFixture<SimulatedProvidersFixture>, IAsyncLifetime
{
    public static TheoryData<ProviderKind> AllKinds => new(Kinds);

    public static TheoryData<ProviderKind> KeyedKinds => new(Kinds.Where(k => k.RequiresApiKey()));

    public static TheoryData<ProviderKind, bool> AllKindsStreamedAndNot
    {
        get
        {
            var data = new TheoryData<ProviderKind, bool>();
            foreach (var kind in Kinds)
            {
                data.Add(kind, true);
                data.Add(kind, false);
            }

            return data;
        }
    }

    public async Task InitializeAsync()
    {
        foreach (var kind in Kinds)
        {
            await fixture.Simulator.SetChaosAsync(ProviderId(kind), ChaosSettings.Healthy);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task Healthy_Streamed_IsSuccessWithTimeToFirstToken(ProviderKind kind)
    {
        var sample = await ProbeAsync(Target(ProviderId(kind)));

        Assert.Equal(ProbeOutcome.Success, sample.Outcome);
        Assert.Equal(200, sample.HttpStatus);
        Assert.NotNull(sample.TimeToFirstToken);
        Assert.True(sample.TimeToFirstToken <= sample.Latency);
        Assert.Null(sample.Detail);
        Assert.Equal(ProbeMode.Inference, sample.Mode);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task Healthy_NotStreamed_IsSuccessWithoutTimeToFirstToken(ProviderKind kind)
    {
        var sample = await ProbeAsync(Target(ProviderId(kind), stream: false));

        Assert.Equal(ProbeOutcome.Success, sample.Outcome);
        Assert.Null(sample.TimeToFirstToken);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task Healthy_ModelsMode_IsSuccess(ProviderKind kind)
    {
        var sample = await ProbeAsync(Target(ProviderId(kind), mode: ProbeMode.Models));

        Assert.Equal(ProbeOutcome.Success, sample.Outcome);
        Assert.Equal(ProbeMode.Models, sample.Mode);
        Assert.Null(sample.TimeToFirstToken);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task Sample_CarriesTargetAndStartTime(ProviderKind kind)
    {
        var target = Target(ProviderId(kind));
        var before = TimeProvider.System.GetUtcNow();

        var sample = await ProbeAsync(target);

        Assert.Equal(target.Id, sample.Target);
        Assert.Equal(ProviderId(kind), sample.ProviderId);
        Assert.Equal(Model, sample.Model);
        Assert.InRange(sample.ObservedAt, before, before + sample.Latency + TimeSpan.FromMinutes(1));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task SlowProvider_OverLatencyObjective_IsSlow(ProviderKind kind)
    {
        await ChaosAsync(kind, new ChaosSettings { Mode = ChaosMode.Slow, LatencyMs = 300 });

        var sample = await ProbeAsync(Target(ProviderId(kind), latencyObjective: TimeSpan.FromMilliseconds(50)));

        Assert.Equal(ProbeOutcome.Slow, sample.Outcome);
        Assert.StartsWith("over latency objective 50 ms", sample.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task Overloaded_IsOverloaded(ProviderKind kind)
    {
        await ChaosAsync(kind, ChaosMode.Overloaded);

        var sample = await ProbeAsync(Target(ProviderId(kind)));

        Assert.Equal(ProbeOutcome.Overloaded, sample.Outcome);
        Assert.Equal(kind == ProviderKind.Anthropic ? 529 : 503, sample.HttpStatus);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task ServerError_IsServerError(ProviderKind kind)
    {
        await ChaosAsync(kind, ChaosMode.ServerError);

        var sample = await ProbeAsync(Target(ProviderId(kind)));

        Assert.Equal(ProbeOutcome.ServerError, sample.Outcome);
        Assert.Equal(503, sample.HttpStatus);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task RateLimited_IsRateLimitedWithRetryAfter(ProviderKind kind)
    {
        await ChaosAsync(kind, new ChaosSettings { Mode = ChaosMode.RateLimited, RetryAfterSeconds = 7 });

        var sample = await ProbeAsync(Target(ProviderId(kind)));

        Assert.Equal(ProbeOutcome.RateLimited, sample.Outcome);
        Assert.Equal(429, sample.HttpStatus);
        Assert.Equal(TimeSpan.FromSeconds(7), sample.RetryAfter);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task SpendCap_IsQuotaExceeded(ProviderKind kind)
    {
        await ChaosAsync(kind, ChaosMode.SpendCap);

        var sample = await ProbeAsync(Target(ProviderId(kind)));

        Assert.Equal(ProbeOutcome.QuotaExceeded, sample.Outcome);
        Assert.Equal(429, sample.HttpStatus);
    }

    [Theory]
    [MemberData(nameof(AllKindsStreamedAndNot))]
    public async Task Hang_WithShortTimeout_IsTimeout(ProviderKind kind, bool stream)
    {
        await ChaosAsync(kind, ChaosMode.Hang);

        var sample = await ProbeAsync(Target(ProviderId(kind), stream: stream, timeout: TimeSpan.FromMilliseconds(300)));

        Assert.Equal(ProbeOutcome.Timeout, sample.Outcome);
        Assert.Null(sample.HttpStatus);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task Refused_IsConnectFailure(ProviderKind kind)
    {
        await ChaosAsync(kind, ChaosMode.Refuse);

        var sample = await ProbeAsync(Target(ProviderId(kind)));

        Assert.Equal(ProbeOutcome.ConnectFailure, sample.Outcome);
        Assert.Null(sample.HttpStatus);
        Assert.StartsWith("connection refused", sample.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task AuthFailure_IsAuthFailure(ProviderKind kind)
    {
        await ChaosAsync(kind, ChaosMode.AuthFailure);

        var sample = await ProbeAsync(Target(ProviderId(kind)));

        Assert.Equal(ProbeOutcome.AuthFailure, sample.Outcome);
        Assert.Equal(401, sample.HttpStatus);
    }

    [Theory]
    [MemberData(nameof(KeyedKinds))]
    public async Task WrongKey_IsAuthFailure(ProviderKind kind)
    {
        var sample = await ProbeAsync(Target(WrongKeyProviderId(kind)));

        Assert.Equal(ProbeOutcome.AuthFailure, sample.Outcome);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task BadRequest_IsBadRequest(ProviderKind kind)
    {
        await ChaosAsync(kind, ChaosMode.BadRequest);

        var sample = await ProbeAsync(Target(ProviderId(kind)));

        Assert.Equal(ProbeOutcome.BadRequest, sample.Outcome);
        Assert.Equal(400, sample.HttpStatus);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task UnknownModel_IsBadRequest(ProviderKind kind)
    {
        var sample = await ProbeAsync(Target(ProviderId(kind), model: "no-such-model"));

        Assert.Equal(ProbeOutcome.BadRequest, sample.Outcome);
        Assert.Equal(404, sample.HttpStatus);
    }

    [Theory]
    [MemberData(nameof(AllKindsStreamedAndNot))]
    public async Task StreamError_IsStreamError(ProviderKind kind, bool stream)
    {
        await ChaosAsync(kind, ChaosMode.StreamError);

        var sample = await ProbeAsync(Target(ProviderId(kind), stream: stream));

        Assert.Equal(ProbeOutcome.StreamError, sample.Outcome);
        Assert.Equal(200, sample.HttpStatus);
        if (stream)
        {
            // The error event came after the first content, so time to first token was still measured.
            Assert.NotNull(sample.TimeToFirstToken);
            Assert.StartsWith("stream error event", sample.Detail, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith("stream broke off", sample.Detail, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(AllKindsStreamedAndNot))]
    public async Task Malformed_IsMalformedResponse(ProviderKind kind, bool stream)
    {
        await ChaosAsync(kind, ChaosMode.Malformed);

        var sample = await ProbeAsync(Target(ProviderId(kind), stream: stream));

        Assert.Equal(ProbeOutcome.MalformedResponse, sample.Outcome);
        Assert.Equal(200, sample.HttpStatus);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task Malformed_ModelsMode_IsMalformedResponse(ProviderKind kind)
    {
        await ChaosAsync(kind, ChaosMode.Malformed);

        var sample = await ProbeAsync(Target(ProviderId(kind), mode: ProbeMode.Models));

        Assert.Equal(ProbeOutcome.MalformedResponse, sample.Outcome);
    }

    [Fact]
    public async Task CallerCancellation_IsThrownNotClassified()
    {
        await ChaosAsync(ProviderKind.OpenAI, ChaosMode.Hang);
        using var cancellation = new CancellationTokenSource();
        var probe = fixture.Executor.ProbeAsync(Target(ProviderId(ProviderKind.OpenAI)), cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe);
    }

    [Fact]
    public async Task ApiKeys_NeverAppearInDetailsOrLogs()
    {
        var details = new List<string?>();
        var modes = Enum.GetValues<ChaosMode>();
        foreach (var kind in Kinds)
        {
            foreach (var mode in modes)
            {
                await ChaosAsync(kind, new ChaosSettings { Mode = mode, LatencyMs = mode == ChaosMode.Slow ? 1 : null });
                foreach (var stream in new[] { true, false })
                {
                    var timeout = TimeSpan.FromMilliseconds(mode == ChaosMode.Hang ? 200 : 30_000);
                    details.Add((await ProbeAsync(Target(ProviderId(kind), stream: stream, timeout: timeout))).Detail);
                }
            }

            await ChaosAsync(kind, ChaosMode.Healthy);
            if (kind.RequiresApiKey())
            {
                details.Add((await ProbeAsync(Target(WrongKeyProviderId(kind)))).Detail);
            }
        }

        Assert.Contains(details, d => d is not null);
        foreach (var key in fixture.Keys)
        {
            Assert.DoesNotContain(details, d => d is not null && d.Contains(key, StringComparison.Ordinal));
            Assert.DoesNotContain(fixture.Logs.Lines, line => line.Contains(key, StringComparison.Ordinal));
        }
    }

    private Task<ProbeSample> ProbeAsync(TargetDefinition target) => fixture.Executor.ProbeAsync(target, CancellationToken.None);

    private Task ChaosAsync(ProviderKind kind, ChaosMode mode) => ChaosAsync(kind, new ChaosSettings { Mode = mode });

    private Task ChaosAsync(ProviderKind kind, ChaosSettings settings) => fixture.Simulator.SetChaosAsync(ProviderId(kind), settings);
}
