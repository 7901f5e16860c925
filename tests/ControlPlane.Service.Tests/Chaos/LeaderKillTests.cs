using ControlPlane.Service.Tests.Integration.Breakers;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Xunit;

namespace ControlPlane.Service.Tests.Chaos;

/// <summary>
/// Two replicas while routes change every second (operator drains and a flapping secondary provider): the leader is
/// SIGKILLed four times and restarted each time. Whatever the timing of a kill — mid-evaluation, between commit and
/// publish, mid-publish — no version is lost, no subscriber ever goes back, and everyone ends on the last version.
/// </summary>
[Collection(ChaosCollection.Name)]
[Trait("Category", "Chaos")]
public sealed class LeaderKillTests(ChaosServers servers)
{
    private const int Kills = 4;
    private static readonly TestApiKey Operator = TestApiKey.Create("chaos", "read", "operate");
    private static readonly TestRoute Route = new("chaos-kill", "anthropic-kill", "openai-kill", "m1");

    [Fact]
    public async Task SigkilledLeaders_DuringContinuousChanges_LoseNoVersion_AndSubscribersNeverRegress()
    {
        var database = await servers.CreateDatabaseAsync();
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString, [Route], TimeSpan.FromSeconds(1), servers.StackEnvironment(), keys: [Operator]);
        await stack.StartReplicaAsync();
        await stack.StartReplicaAsync();
        await stack.UntilAsync(async () => await database.LatestVersionAsync() is not null, "the first table is committed");

        var rabbit = servers.Servers.RabbitMq.Uri;
        await using var sdkA = await RecordingClient.StartAsync(stack.Replicas[0].BaseUrl, rabbit, stack.Keys.PublicKeyPem, "chaos-kill-sdk-a");
        await using var sdkB = await RecordingClient.StartAsync(stack.Replicas[1].BaseUrl, rabbit, stack.Keys.PublicKeyPem, "chaos-kill-sdk-b");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        await using var connection = await Chaos.ConnectAsync(rabbit);
        var raw = new List<ProtocolSubscriber>();
        for (var i = 0; i < 3; i++)
        {
            raw.Add(await ProtocolSubscriber.StartAsync(connection, Chaos.Verifier(stack), Chaos.Snapshot(stack, http)));
        }

        using var stop = new CancellationTokenSource();
        var changes = ChangeContinuouslyAsync(stack, stop.Token);
        try
        {
            for (var kill = 0; kill < Kills; kill++)
            {
                ServiceProcess? leader = null;
                await stack.UntilAsync(async () => (leader = await Chaos.LeaderAsync(stack)) is not null, "exactly one live replica leads", TimeSpan.FromSeconds(90));
                var before = await database.LatestVersionAsync();
                leader!.Kill();
                await stack.StartReplicaAsync();
                await stack.UntilAsync(async () => await database.LatestVersionAsync() > before,
                    $"a new version is committed after kill {kill + 1}", TimeSpan.FromSeconds(90));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await changes;
        }

        // Quiet now: the last version is published and everyone converges on it.
        await stack.UntilAsync(async () => await Chaos.LeaderAsync(stack) is not null, "a leader after the last kill", TimeSpan.FromSeconds(90));
        await stack.UntilAsync(async () => await database.PendingAsync() == 0, "every committed version is published", TimeSpan.FromSeconds(90));
        var latest = (await database.LatestVersionAsync())!.Value;
        await stack.UntilAsync(
            () => Task.FromResult(sdkA.Source.CurrentVersion == latest && sdkB.Source.CurrentVersion == latest && raw.All(r => r.Current == latest)),
            $"every subscriber ends on the latest version {latest}", TimeSpan.FromSeconds(60));

        var committed = await database.TableVersionsAsync();
        var published = await database.PublishedVersionsAsync();
        Assert.True(committed.Count >= Kills + 2, $"continuous changes committed versions: [{string.Join(", ", committed)}]");
        Assert.Empty(committed.Except(published));

        Chaos.AssertNeverRegresses(sdkA.Applied, "SDK client A");
        Chaos.AssertNeverRegresses(sdkB.Applied, "SDK client B");
        foreach (var (subscriber, i) in raw.Select((r, i) => (r, i)))
        {
            Assert.Equal(0, subscriber.Rejected);
            Chaos.AssertNeverRegresses(subscriber.Applied, $"raw subscriber {i}");
            Chaos.AssertNeverRegresses(subscriber.Received, $"raw subscriber {i} (broker order)", allowRepeats: true);

            // Connected throughout: every version newer than its bootstrap snapshot came through the broker.
            var expected = committed.Where(v => v > subscriber.Bootstrapped).ToList();
            Assert.Empty(expected.Except(subscriber.Received));
            await subscriber.DisposeAsync();
        }
    }

    /// <summary>Every ~second: drain or undrain the primary; every other one also flips the secondary between healthy and overloaded.</summary>
    private static async Task ChangeContinuouslyAsync(ControlPlaneStack stack, CancellationToken stop)
    {
        Guid? drain = null;
        var overloaded = false;
        for (var tick = 0; !stop.IsCancellationRequested; tick++)
        {
            try
            {
                var replica = stack.Replicas.LastOrDefault(r => !r.HasExited);
                if (replica is not null)
                {
                    using var operate = ControlPlaneStack.Client(replica, Operator);
                    if (drain is { } id)
                    {
                        await Chaos.EndOverrideAsync(operate, id);
                        drain = null;
                    }
                    else
                    {
                        drain = await Chaos.DrainAsync(operate, Route.Primary, $"chaos tick {tick}");
                    }
                }

                if (tick % 2 == 0)
                {
                    overloaded = !overloaded;
                    await stack.Simulator.SetChaosAsync(Route.SecondaryProvider, new ChaosSettings { Mode = overloaded ? ChaosMode.Overloaded : ChaosMode.Healthy }, CancellationToken.None);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The replica we asked was just killed: the next tick asks another.
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await stack.Simulator.SetChaosAsync(Route.SecondaryProvider, new ChaosSettings { Mode = ChaosMode.Healthy }, CancellationToken.None);
    }
}
