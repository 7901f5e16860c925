using System.Security.Cryptography;
using ControlPlane.Contracts;

namespace ControlPlane.Contracts.Tests;

internal static class TestMessages
{
    public static RoutingTableChanged Unsigned(long version = 7, long? previous = 6) => new()
    {
        Version = version,
        PreviousVersion = previous,
        IssuedAt = new DateTimeOffset(2025, 6, 1, 14, 0, 0, TimeSpan.FromHours(2)).AddTicks(1234567),
        Table = new RoutingTable
        {
            Routes =
            [
                new RouteEntry
                {
                    Route = "chat-default",
                    PanicPolicy = PanicPolicies.FailOpen,
                    Panic = false,
                    ActiveTier = 0,
                    Tiers =
                    [
                        new TierEntry
                        {
                            Targets =
                            [
                                new TargetEntry { Target = "anthropic/claude-sonnet-4-5", Provider = "anthropic", Model = "claude-sonnet-4-5", Weight = 300, Eligible = true, State = TargetStates.Closed },
                                new TargetEntry { Target = "openai/gpt-4.1", Provider = "openai", Model = "gpt-4.1", Weight = 100, Eligible = true, State = TargetStates.Closed },
                            ],
                        },
                    ],
                },
            ],
        },
        Changes = [new RoutingChange { Route = "chat-default", Reason = "openai/gpt-4.1: open → closed", Before = ["anthropic/claude-sonnet-4-5"], After = ["anthropic/claude-sonnet-4-5", "openai/gpt-4.1"] }],
        KeyId = "",
        Signature = "",
    };

    public static ECDsa NewKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ControlPlane.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find ControlPlane.sln above the test binaries.");
    }
}
