using ControlPlane.Gateway.Caching;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Caching;

public sealed class ResponseCacheStoreTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 7, 0, 0, TimeSpan.Zero));

    private static byte[] Body(int length) => new byte[length];

    private static long SizeOf(int bodyLength) => new CachedAnswer(Body(bodyLength), "application/json", false, default).Size;

    [Fact]
    public void Find_ReturnsWhatWasStored_WithItsContentTypeAndStreamFlag()
    {
        var store = new ResponseCacheStore(1024 * 1024, _time);
        store.Store("k", "data: {}\n\n"u8.ToArray(), "text/event-stream", streamed: true);

        var found = store.Find("k", Ttl);

        Assert.NotNull(found);
        Assert.Equal("data: {}\n\n"u8.ToArray(), found.Body);
        Assert.Equal(("text/event-stream", true, _time.GetUtcNow()), (found.ContentType, found.Streamed, found.StoredAt));
        Assert.Null(store.Find("other", Ttl));
    }

    [Fact]
    public void Find_AfterTheTtl_MissesAndFreesTheEntry()
    {
        var store = new ResponseCacheStore(1024 * 1024, _time);
        store.Store("k", Body(100), "application/json", streamed: false);

        _time.Advance(Ttl - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(store.Find("k", Ttl));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(store.Find("k", Ttl));
        Assert.Equal((0, 0L), (store.Count, store.Bytes));
    }

    [Fact]
    public void Find_TheTtlOfTheLookupDecides_SoAShorterTtlAppliesToEntriesAlreadyHeld()
    {
        var store = new ResponseCacheStore(1024 * 1024, _time);
        store.Store("k", Body(100), "application/json", streamed: false);
        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.Null(store.Find("k", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Store_OverTheBound_EvictsTheLeastRecentlyUsedFirst()
    {
        var store = new ResponseCacheStore(3 * SizeOf(1000), _time);
        store.Store("a", Body(1000), "application/json", streamed: false);
        store.Store("b", Body(1000), "application/json", streamed: false);
        store.Store("c", Body(1000), "application/json", streamed: false);
        Assert.NotNull(store.Find("a", Ttl)); // a is now the most recently used; b the least

        store.Store("d", Body(1000), "application/json", streamed: false);

        Assert.Null(store.Find("b", Ttl));
        Assert.All(["a", "c", "d"], k => Assert.NotNull(store.Find(k, Ttl)));
        Assert.Equal(3 * SizeOf(1000), store.Bytes);
    }

    [Fact]
    public void Store_ALargeAnswer_EvictsAsManyAsItNeeds()
    {
        var store = new ResponseCacheStore(3 * SizeOf(1000), _time);
        store.Store("a", Body(1000), "application/json", streamed: false);
        store.Store("b", Body(1000), "application/json", streamed: false);
        store.Store("c", Body(1000), "application/json", streamed: false);

        store.Store("big", Body(2000), "application/json", streamed: false);

        Assert.Equal(["c", "big"], new[] { "a", "b", "c", "big" }.Where(k => store.Find(k, Ttl) is not null));
        Assert.True(store.Bytes <= store.MaxBytes);
    }

    [Fact]
    public void Store_AnAnswerLargerThanTheWholeBound_IsRefusedAndEvictsNothing()
    {
        var store = new ResponseCacheStore(SizeOf(1000), _time);
        store.Store("a", Body(1000), "application/json", streamed: false);

        Assert.Null(store.Store("huge", Body(5000), "application/json", streamed: false));
        Assert.NotNull(store.Find("a", Ttl));
    }

    [Fact]
    public void Store_TheSameKeyAgain_ReplacesTheEntryAndRestartsItsAge()
    {
        var store = new ResponseCacheStore(1024 * 1024, _time);
        store.Store("k", Body(100), "application/json", streamed: false);
        _time.Advance(TimeSpan.FromMinutes(4));

        store.Store("k", Body(200), "application/json", streamed: false);
        _time.Advance(TimeSpan.FromMinutes(4));

        Assert.Equal(200, store.Find("k", Ttl)!.Body.Length);
        Assert.Equal((1, SizeOf(200)), (store.Count, store.Bytes));
    }

    [Fact]
    public async Task StoreAndFind_FromManyThreads_KeepTheByteCountExact()
    {
        var store = new ResponseCacheStore(50 * SizeOf(100), _time);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                store.Store($"{t}-{i % 40}", Body(100), "application/json", streamed: false);
                store.Find($"{(t + 1) % 8}-{i % 40}", Ttl);
            }
        })));

        Assert.Equal(store.Count * SizeOf(100), store.Bytes);
        Assert.True(store.Count <= 50);
    }
}
