using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Client.Tests.Support;

/// <summary>
/// Temporary stand-in for the control plane's <c>GET /api/routing-table</c> (signed JSON, or 404 ProblemDetails),
/// on Kestrel at 127.0.0.1, until the client tests can run against the real service.
/// </summary>
internal sealed class SnapshotServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile byte[]? _current;
    private int _requests;

    private SnapshotServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public byte[]? Current
    {
        get => _current;
        set => _current = value;
    }

    public static async Task<SnapshotServer> StartAsync(byte[]? current = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new SnapshotServer(app) { Current = current };
        app.MapGet("/api/routing-table", () =>
        {
            Interlocked.Increment(ref server._requests);
            return server._current is { } json
                ? Results.Bytes(json, "application/json")
                : Results.Problem(statusCode: 404, title: "No routing table yet");
        });
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Urls.First());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
