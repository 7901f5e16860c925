using System.Threading.Channels;
using ControlPlane.Service.Leadership;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Service.Tests.Leadership;

public sealed class LeaderServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task LeadAsync_RunsOncePerTerm_AndALostTermEndsIt()
    {
        var leadership = new ScriptedLeadership();
        using var service = new RecordingLeader(leadership, new FakeTimeProvider(), fail: false);
        await service.StartAsync(CancellationToken.None);

        leadership.Grant();
        Assert.Equal("lead 1", await service.Events.ReadAsync().AsTask().WaitAsync(Wait));
        leadership.Revoke();
        Assert.Equal("ended", await service.Events.ReadAsync().AsTask().WaitAsync(Wait));
        leadership.Grant();
        Assert.Equal("lead 2", await service.Events.ReadAsync().AsTask().WaitAsync(Wait));

        await service.StopAsync(CancellationToken.None);
        Assert.False(service.Events.TryRead(out var extra), $"nothing after shutdown, got {extra}"); // a stop is not a lost term
    }

    [Fact]
    public async Task LeadAsync_ThatFails_IsRestartedAfterAPause()
    {
        var leadership = new ScriptedLeadership();
        var time = new FakeTimeProvider();
        using var service = new RecordingLeader(leadership, time, fail: true);
        await service.StartAsync(CancellationToken.None);

        leadership.Grant();
        Assert.Equal("lead 1", await service.Events.ReadAsync().AsTask().WaitAsync(Wait));
        Assert.False(service.Events.TryRead(out _)); // not restarted before the pause

        await Eventually(() => time.Advance(TimeSpan.FromSeconds(1)), service);
        Assert.Equal("lead 2", await service.Events.ReadAsync().AsTask().WaitAsync(Wait));
        await service.StopAsync(CancellationToken.None);
    }

    // The restart delay may be registered a moment after the failure: move the clock until the next term starts.
    private static async Task Eventually(Action advance, RecordingLeader service)
    {
        await ControlPlane.Testing.Eventually.UntilAsync(
            () =>
            {
                advance();
                return Task.FromResult(service.Events.Count > 0);
            },
            Wait,
            "the failed term is restarted");
    }

    private sealed class RecordingLeader(ILeadership leadership, TimeProvider time, bool fail)
        : LeaderService(leadership, time, NullLogger.Instance)
    {
        private readonly Channel<string> _events = Channel.CreateUnbounded<string>();
        private int _terms;

        public ChannelReader<string> Events => _events.Reader;

        protected override async Task LeadAsync(CancellationToken term)
        {
            _events.Writer.TryWrite($"lead {++_terms}");
            if (fail)
            {
                throw new InvalidOperationException("boom");
            }

            // Lead until the term ends, as a real leader loop does: cancelled with the term's token.
            var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (term.Register(() => ended.TrySetCanceled(term)))
            {
                await ended.Task;
            }
        }

        protected override void OnTermEnded() => _events.Writer.TryWrite("ended");
    }

    /// <summary>Leadership granted and revoked by the test.</summary>
    private sealed class ScriptedLeadership : ILeadership
    {
        private readonly object _gate = new();
        private TaskCompletionSource<CancellationToken> _granted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private CancellationTokenSource? _term;

        public bool IsLeader => _term is { IsCancellationRequested: false };

        public LeaderFence? Fence => null;

        public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                return _granted.Task.WaitAsync(cancellationToken);
            }
        }

        public void Grant()
        {
            lock (_gate)
            {
                _term = new CancellationTokenSource();
                _granted.TrySetResult(_term.Token);
            }
        }

        public void Revoke()
        {
            lock (_gate)
            {
                _granted = new(TaskCreationOptions.RunContinuationsAsynchronously);
                _term!.Cancel();
            }
        }
    }
}
