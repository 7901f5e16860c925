using System.Text;
using ControlPlane.Client;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Caching;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Upstreams;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Caching;

/// <summary>The cache stage against plain HTTP contexts: admit, copy an answer while it is relayed, serve it back.</summary>
public sealed class AnswerCacheTests
{
    private const string Greedy = """{"model":"chat","temperature":0,"messages":[{"role":"user","content":"hi"}]}""";
    private const string Answer = """{"id":"chatcmpl-1","choices":[{"message":{"role":"assistant","content":"hello"}}]}""";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 7, 0, 0, TimeSpan.Zero));
    private readonly FakeTable _table = new();

    private AnswerCache Cache(long maxBytes = 1024 * 1024, int maxEntryBytes = 64 * 1024)
    {
        var options = Options.Create(new GatewayOptions { ResponseCache = new ResponseCacheOptions { MaxBytes = maxBytes, MaxEntryBytes = maxEntryBytes } });
        return new AnswerCache(new RouteCachePolicies(_table), new ResponseCacheStore(maxBytes, _time), options, _time, NullLogger<AnswerCache>.Instance);
    }

    private void RouteCaches(string mode, long ttlMs = 60_000, bool shared = false) =>
        _table.Caches["chat"] = new RouteCache { Mode = mode, TtlMs = ttlMs, AllowTemperature = false, ShareAcrossKeys = shared };

    private static DefaultHttpContext Context(string? clientKey = "sk-a")
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        if (clientKey is not null)
        {
            context.Request.Headers.Authorization = $"Bearer {clientKey}";
        }

        return context;
    }

    private static RequestBody Body(string json) => RequestBody.TryParse(Encoding.UTF8.GetBytes(json), out _)!;

    private static string Written(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    /// <summary>What the forwarder does around a successful relay.</summary>
    private static async Task RelayThroughAsync(AnswerCache cache, HttpContext context, CacheTicket ticket, string contentType, string body, bool completed = true)
    {
        var capture = cache.StartCapture(context);
        context.Response.StatusCode = 200;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body));
        cache.FinishCapture(context, ticket, capture, completed);
    }

    [Fact]
    public void Admit_ARouteWithoutACache_GivesNoTicket()
    {
        _table.Caches["other"] = new RouteCache { Mode = CacheModes.Always, TtlMs = 1000, AllowTemperature = true, ShareAcrossKeys = true };

        Assert.Null(Cache().Admit(Context(), ApiFormat.OpenAiChat, "chat", Body(Greedy)));
    }

    [Fact]
    public void Admit_AModeThisGatewayDoesNotKnow_IsNoCache()
    {
        RouteCaches("sometimes");

        Assert.Null(Cache().Admit(Context(), ApiFormat.OpenAiChat, "chat", Body(Greedy)));
    }

    [Fact]
    public void Admit_ASampledRequest_GivesNoTicket()
    {
        RouteCaches(CacheModes.StaleIfError);

        Assert.Null(Cache().Admit(Context(), ApiFormat.OpenAiChat, "chat", Body("""{"model":"chat","temperature":0.8}""")));
        Assert.NotNull(Cache().Admit(Context(), ApiFormat.OpenAiChat, "chat", Body(Greedy)));
    }

    [Fact]
    public void Admit_WithTheGatewaysCacheTurnedOff_GivesNoTicket()
    {
        RouteCaches(CacheModes.Always);

        Assert.Null(Cache(maxBytes: 0).Admit(Context(), ApiFormat.OpenAiChat, "chat", Body(Greedy)));
    }

    [Fact]
    public async Task ServeStale_AfterASuccessfulRelay_AnswersWithTheSameBytesAndSaysSo()
    {
        RouteCaches(CacheModes.StaleIfError);
        var cache = Cache();
        var first = Context();
        var ticket = cache.Admit(first, ApiFormat.OpenAiChat, "chat", Body(Greedy))!;
        await RelayThroughAsync(cache, first, ticket, "application/json", Answer);
        Assert.Equal(Answer, Written(first)); // the client got it as usual
        _time.Advance(TimeSpan.FromSeconds(42));

        var second = Context();
        var again = cache.Admit(second, ApiFormat.OpenAiChat, "chat", Body(Greedy))!;
        Assert.False(await cache.TryServeFreshAsync(second, again)); // stale-if-error never answers before the targets
        Assert.True(await cache.TryServeStaleAsync(second, again, attempts: 2));

        Assert.Equal(Answer, Written(second));
        Assert.Equal(200, second.Response.StatusCode);
        Assert.Equal("application/json", second.Response.ContentType);
        Assert.Equal(Answer.Length, second.Response.ContentLength);
        Assert.Equal("stale", second.Response.Headers[AnswerCache.Header]);
        Assert.Equal("42", second.Response.Headers.Age);
        Assert.Equal("2", second.Response.Headers["x-gateway-attempts"]);
    }

    [Fact]
    public async Task ServeStale_AStreamedAnswer_ReplaysTheEvents()
    {
        RouteCaches(CacheModes.StaleIfError);
        var cache = Cache();
        const string events = "event: message_start\ndata: {}\n\nevent: message_stop\ndata: {}\n\n";
        var first = Context();
        await RelayThroughAsync(cache, first, cache.Admit(first, ApiFormat.AnthropicMessages, "chat", Body(Greedy))!, "text/event-stream", events);

        var second = Context();
        Assert.True(await cache.TryServeStaleAsync(second, cache.Admit(second, ApiFormat.AnthropicMessages, "chat", Body(Greedy))!, attempts: 1));

        Assert.Equal(events, Written(second));
        Assert.Equal("text/event-stream", second.Response.ContentType);
        Assert.Null(second.Response.ContentLength);
        Assert.Equal("no-cache", second.Response.Headers.CacheControl);
    }

    [Fact]
    public async Task FinishCapture_ABrokenOffOrFailedAnswer_IsNotKept()
    {
        RouteCaches(CacheModes.StaleIfError);
        var cache = Cache();
        var broken = Context();
        await RelayThroughAsync(cache, broken, cache.Admit(broken, ApiFormat.OpenAiChat, "chat", Body(Greedy))!, "text/event-stream", "data: {}\n\n", completed: false);
        var failed = Context();
        var ticket = cache.Admit(failed, ApiFormat.OpenAiChat, "chat", Body(Greedy))!;
        var capture = cache.StartCapture(failed);
        failed.Response.StatusCode = 529;
        failed.Response.ContentType = "application/json";
        cache.FinishCapture(failed, ticket, capture, completed: true);

        var later = Context();
        Assert.False(await cache.TryServeStaleAsync(later, cache.Admit(later, ApiFormat.OpenAiChat, "chat", Body(Greedy))!, attempts: 1));
        Assert.Equal("", Written(later));
    }

    [Fact]
    public async Task FinishCapture_PutsTheResponseBodyBack()
    {
        RouteCaches(CacheModes.StaleIfError);
        var cache = Cache();
        var context = Context();
        var original = context.Response.Body;

        await RelayThroughAsync(cache, context, cache.Admit(context, ApiFormat.OpenAiChat, "chat", Body(Greedy))!, "application/json", Answer);

        Assert.Same(original, context.Response.Body);
    }

    [Fact]
    public async Task AnAnswerOverTheEntryBound_IsRelayedButNotKept()
    {
        RouteCaches(CacheModes.StaleIfError);
        var cache = Cache(maxEntryBytes: 16);
        var first = Context();
        await RelayThroughAsync(cache, first, cache.Admit(first, ApiFormat.OpenAiChat, "chat", Body(Greedy))!, "application/json", Answer);

        var later = Context();
        Assert.Equal(Answer, Written(first));
        Assert.False(await cache.TryServeStaleAsync(later, cache.Admit(later, ApiFormat.OpenAiChat, "chat", Body(Greedy))!, attempts: 1));
    }

    [Fact]
    public async Task AnotherClientKey_GetsNothing_UnlessTheRouteShares()
    {
        RouteCaches(CacheModes.StaleIfError);
        var cache = Cache();
        var first = Context("sk-a");
        await RelayThroughAsync(cache, first, cache.Admit(first, ApiFormat.OpenAiChat, "chat", Body(Greedy))!, "application/json", Answer);

        var other = Context("sk-b");
        Assert.False(await cache.TryServeStaleAsync(other, cache.Admit(other, ApiFormat.OpenAiChat, "chat", Body(Greedy))!, attempts: 1));

        RouteCaches(CacheModes.StaleIfError, shared: true);
        var sharedFirst = Context("sk-a");
        await RelayThroughAsync(cache, sharedFirst, cache.Admit(sharedFirst, ApiFormat.OpenAiChat, "chat", Body(Greedy))!, "application/json", Answer);
        var sharedOther = Context("sk-b");
        Assert.True(await cache.TryServeStaleAsync(sharedOther, cache.Admit(sharedOther, ApiFormat.OpenAiChat, "chat", Body(Greedy))!, attempts: 1));
    }

    [Fact]
    public async Task ServeFresh_UnderAlways_AnswersUntilTheTtlRunsOut()
    {
        RouteCaches(CacheModes.Always, ttlMs: 10_000);
        var cache = Cache();
        var first = Context();
        var ticket = cache.Admit(first, ApiFormat.OpenAiChat, "chat", Body(Greedy))!;
        Assert.False(await cache.TryServeFreshAsync(first, ticket)); // a miss: the forwarder goes on to the targets
        await RelayThroughAsync(cache, first, ticket, "application/json", Answer);

        _time.Advance(TimeSpan.FromSeconds(9));
        var hit = Context();
        Assert.True(await cache.TryServeFreshAsync(hit, cache.Admit(hit, ApiFormat.OpenAiChat, "chat", Body(Greedy))!));
        Assert.Equal((Answer, "hit"), (Written(hit), hit.Response.Headers[AnswerCache.Header].ToString()));

        _time.Advance(TimeSpan.FromSeconds(1));
        var expired = Context();
        Assert.False(await cache.TryServeFreshAsync(expired, cache.Admit(expired, ApiFormat.OpenAiChat, "chat", Body(Greedy))!));
    }

    /// <summary>Only <see cref="Current"/> matters to the cache: a table with the given routes' caches.</summary>
    private sealed class FakeTable : IRoutingTableSource
    {
        public Dictionary<string, RouteCache> Caches { get; } = [];

        private RoutingTableChanged? _current;
        private int _built = -1;

        public RoutingTableChanged? Current
        {
            get
            {
                // A new table object whenever the caches changed, as a newly applied table would be.
                var hash = Caches.Aggregate(Caches.Count, (h, p) => HashCode.Combine(h, p.Key, p.Value));
                if (_current is null || hash != _built)
                {
                    _built = hash;
                    _current = new RoutingTableChanged
                    {
                        Version = 1,
                        IssuedAt = DateTimeOffset.UnixEpoch,
                        Changes = [],
                        KeyId = "k",
                        Signature = "",
                        Table = new RoutingTable
                        {
                            Routes = new[] { "chat", "other" }.Select(id => new RouteEntry
                            {
                                Route = id,
                                PanicPolicy = PanicPolicies.FailOpen,
                                Panic = false,
                                Tiers = [],
                                Cache = Caches.GetValueOrDefault(id),
                            }).ToList(),
                        },
                    };
                }

                return _current;
            }
        }

        public long? CurrentVersion => Current?.Version;

        public DateTimeOffset? AppliedAt => null;

        public bool IsConnected => true;

        public DateTimeOffset? LastContactAt => null;

        public TimeSpan? Staleness => TimeSpan.Zero;

        public RejectionInfo? LastRejection => null;

        public SubscriptionCounters Counters { get; } = new();

        public event EventHandler<RoutingTableAppliedEventArgs>? TableChanged
        {
            add { }
            remove { }
        }

        public Task<RoutingTableChanged> WaitForVersionAsync(long minimumVersion, CancellationToken cancellationToken = default) =>
            Task.FromResult(Current!);
    }
}
