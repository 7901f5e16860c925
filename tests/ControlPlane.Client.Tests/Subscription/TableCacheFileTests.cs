using ControlPlane.Client.Subscription;
using ControlPlane.Client.Tests.Support;
using ControlPlane.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Client.Tests.Subscription;

/// <summary>The fail-static cache file on its own: round trip, what it refuses to load, and never writing backwards.</summary>
public sealed class TableCacheFileTests : IDisposable
{
    private readonly TestTables _tables = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cp-cache-tests", Guid.NewGuid().ToString("N"));
    private readonly RecordingLogger _logger = new();

    public void Dispose()
    {
        _tables.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string CachePath => Path.Combine(_directory, "nested", "routing-table.json");

    private RoutingTableStore NewStore() => new(_tables.Verifier(), _time);

    [Fact]
    public void TryWrite_ThenLoadInto_RestoresTheSignedTableVerbatim()
    {
        var json = _tables.Json(3);

        Assert.True(new TableCacheFile(CachePath, _logger).TryWrite(3, json));
        var store = NewStore();
        new TableCacheFile(CachePath, _logger).LoadInto(store);

        Assert.Equal(3, store.CurrentVersion);
        Assert.Equal(json, store.CurrentJson!.Value.ToArray());
        Assert.Equal(json, File.ReadAllBytes(CachePath));
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("version 3", StringComparison.Ordinal));
    }

    [Fact]
    public void TryWrite_MissingDirectory_IsCreated_AndNoTempFileIsLeft()
    {
        Assert.True(new TableCacheFile(CachePath, _logger).TryWrite(1, _tables.Json(1)));

        Assert.Equal([CachePath], Directory.GetFiles(Path.GetDirectoryName(CachePath)!));
    }

    [Fact]
    public void LoadInto_CorruptFile_IsIgnoredWithAWarning_AndLeavesNoTable()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(CachePath)!);
        File.WriteAllText(CachePath, "{\"version\": 7, \"table\": ");
        var store = NewStore();

        new TableCacheFile(CachePath, _logger).LoadInto(store);

        Assert.Null(store.CurrentVersion);
        Assert.StartsWith(RejectionReasons.Malformed, store.LastRejection!.Reason, StringComparison.Ordinal);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(CachePath, StringComparison.Ordinal));
    }

    [Fact]
    public void LoadInto_TamperedTable_IsIgnored()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(CachePath)!);
        File.WriteAllBytes(CachePath, _tables.Tampered(4));
        var store = NewStore();

        new TableCacheFile(CachePath, _logger).LoadInto(store);

        Assert.Null(store.CurrentVersion);
        Assert.StartsWith(RejectionReasons.BadSignature, store.LastRejection!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadInto_NoFile_LeavesNoTableAndLogsNothing()
    {
        var store = NewStore();

        new TableCacheFile(CachePath, _logger).LoadInto(store);

        Assert.Null(store.CurrentVersion);
        Assert.Null(store.LastRejection);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void TryWrite_OlderOrSameVersion_NeverOverwritesANewerTable()
    {
        var cache = new TableCacheFile(CachePath, _logger);
        var newer = _tables.Json(5);
        cache.TryWrite(5, newer);

        Assert.False(cache.TryWrite(4, _tables.Json(4)));
        Assert.False(cache.TryWrite(5, _tables.Json(5, TestTables.Table())));
        Assert.Equal(newer, File.ReadAllBytes(CachePath));
    }

    [Fact]
    public void TryWrite_AfterLoadingAVersion_SkipsThatVersionAndOlder_ButWritesNewer()
    {
        new TableCacheFile(CachePath, _logger).TryWrite(6, _tables.Json(6));
        var cache = new TableCacheFile(CachePath, _logger);
        cache.LoadInto(NewStore());

        Assert.False(cache.TryWrite(6, _tables.Json(6)));
        Assert.True(cache.TryWrite(7, _tables.Json(7)));
        Assert.Equal(7, ContractsJson.DeserializeRoutingTableChanged(File.ReadAllBytes(CachePath)).Version);
    }

    [Fact]
    public void TryWrite_UnwritablePath_ReturnsFalseWithAWarning_AndThrowsNothing()
    {
        // A file where the directory should be: creating the directory fails with an IOException.
        Directory.CreateDirectory(_directory);
        var blocker = Path.Combine(_directory, "nested");
        File.WriteAllText(blocker, "not a directory");

        Assert.False(new TableCacheFile(CachePath, _logger).TryWrite(1, _tables.Json(1)));
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Exception is IOException);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception), exception));
    }
}
