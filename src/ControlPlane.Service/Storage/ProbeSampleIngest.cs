using System.Diagnostics;
using System.Threading.Channels;
using ControlPlane.Contracts;
using ControlPlane.Core.Probing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ControlPlane.Service.Storage;

/// <summary>
/// Moves probe samples from a bounded in-memory queue to Postgres in binary COPY batches.
/// </summary>
/// <remarks>
/// Bounds, so memory stays flat whatever Postgres does:
/// <list type="bullet">
/// <item>The queue holds <see cref="StorageOptions.IngestCapacity"/> samples; beyond that <see cref="TryWrite"/>
/// refuses new samples (counted as <c>queue_full</c>).</item>
/// <item>While writes fail, queued samples move to a retry buffer of at most
/// <see cref="StorageOptions.IngestRetryBufferLimit"/> samples, retried with exponential backoff up to
/// <see cref="StorageOptions.IngestMaxRetryDelay"/>; beyond the limit the oldest are dropped (<c>buffer_full</c>),
/// because the newest say most about health now.</item>
/// <item>A batch for a day without a partition asks <see cref="PartitionMaintenance"/> to create it and is
/// retried at once.</item>
/// <item>On shutdown everything queued is written, with a few attempts within the host's shutdown timeout.</item>
/// </list>
/// </remarks>
public sealed class ProbeSampleIngest : BackgroundService, IProbeSampleSink
{
    private const int ShutdownAttempts = 3;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly ProbeSampleCopyWriter _writer;
    private readonly PartitionMaintenance _partitions;
    private readonly StorageOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ProbeSampleIngest> _logger;
    private readonly Channel<ProbeSample> _channel;

    // Samples taken off the channel and not yet written. Only the ingest loop touches it.
    private readonly SampleBuffer _pending;
    private long _refusedSinceLastReport;
    private int _failedAttempts;
    private volatile bool _stopping;
    private CancellationToken _shutdownToken;

    public ProbeSampleIngest(
        ProbeSampleCopyWriter writer,
        PartitionMaintenance partitions,
        IOptions<StorageOptions> options,
        TimeProvider timeProvider,
        ILogger<ProbeSampleIngest> logger)
    {
        _writer = writer;
        _partitions = partitions;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _pending = new SampleBuffer(_options.IngestBatchSize, _options.IngestRetryBufferLimit);
        _channel = Channel.CreateBounded<ProbeSample>(new BoundedChannelOptions(_options.IngestCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: refuse the newest, never block
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <summary>Write attempts that failed since the start (for tests and diagnostics).</summary>
    internal int FailedAttempts => Volatile.Read(ref _failedAttempts);

    public bool TryWrite(ProbeSample sample)
    {
        if (_channel.Writer.TryWrite(sample))
        {
            return true;
        }

        StorageMetrics.SamplesDropped.WithLabels(_stopping ? StorageMetrics.DropReason.Shutdown : StorageMetrics.DropReason.QueueFull).Inc();
        Interlocked.Increment(ref _refusedSinceLastReport);
        return false;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The drain after the loop runs within the host's shutdown timeout, not the (already cancelled) stopping token.
        _shutdownToken = cancellationToken;
        _stopping = true;
        _channel.Writer.TryComplete();
        await base.StopAsync(cancellationToken);

        // BackgroundService starts ExecuteAsync with Task.Run on the stopping token: stopped right after
        // starting, the loop never ran, so nothing drained what was accepted. Nothing else touches the queue now.
        if (ExecuteTask is { IsCanceled: true })
        {
            await DrainAsync();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var retries = 0;
        try
        {
            while (true)
            {
                if (_pending.Count == 0)
                {
                    if (!await _channel.Reader.WaitToReadAsync(stoppingToken))
                    {
                        break; // completed by StopAsync and empty
                    }

                    await FillBatchAsync(stoppingToken);
                }
                else
                {
                    // Retrying: keep emptying the queue into the bounded retry buffer so producers are not refused.
                    TakeQueued(int.MaxValue);
                }

                // The write itself is not cancelled by the stop: a COPY cancelled after the server committed it
                // would be written twice by the drain. Only the waits between writes follow the stopping token.
                var result = await WriteNextBatchAsync(CancellationToken.None);
                ReportState();

                // A retry right away is for a partition just created; should it keep vanishing (someone dropping it
                // by hand), back off like any failure instead of spinning.
                retries = result == BatchResult.Retry ? retries + 1 : 0;
                if (result == BatchResult.Failed || retries > 3)
                {
                    failures++;
                    Interlocked.Increment(ref _failedAttempts);
                    await Task.Delay(Backoff(failures), _timeProvider, stoppingToken);
                }
                else if (result == BatchResult.Written && failures > 0)
                {
                    Log.IngestRecovered(_logger, failures);
                    failures = 0;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await DrainAsync();
    }

    private async Task FillBatchAsync(CancellationToken stoppingToken)
    {
        var batchSize = _options.IngestBatchSize;
        TakeQueued(batchSize);
        if (_pending.Count >= batchSize)
        {
            return;
        }

        using var maxDelay = new CancellationTokenSource(_options.IngestMaxDelay, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, maxDelay.Token);
        try
        {
            while (_pending.Count < batchSize && await _channel.Reader.WaitToReadAsync(linked.Token))
            {
                TakeQueued(batchSize);
            }
        }
        catch (OperationCanceledException) when (maxDelay.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            // Partial batch: write what we have.
        }
    }

    private void TakeQueued(int upTo)
    {
        var evicted = 0;
        while (_pending.Count < upTo && _channel.Reader.TryRead(out var sample))
        {
            evicted += _pending.Add(sample);
        }

        if (evicted > 0)
        {
            StorageMetrics.SamplesDropped.WithLabels(StorageMetrics.DropReason.BufferFull).Inc(evicted);
            Log.IngestBufferFull(_logger, evicted, _options.IngestRetryBufferLimit);
        }
    }

    private async Task<BatchResult> WriteNextBatchAsync(CancellationToken cancellationToken)
    {
        var batch = _pending.NextBatch();
        if (batch.Count == 0)
        {
            return BatchResult.Written;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await _writer.WriteAsync(batch, cancellationToken);
            StorageMetrics.IngestBatchSeconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            Written(batch.Count);
            return BatchResult.Written;
        }
        catch (PostgresException ex) when (IsMissingPartition(ex))
        {
            return await CreateMissingPartitionsAsync(batch, cancellationToken);
        }
        catch (Exception ex) when (IsRejectedData(ex))
        {
            // One bad row fails the whole COPY; find it instead of losing (or endlessly retrying) its neighbours.
            Log.IngestBatchRejected(_logger, ex, batch.Count);
            return await WriteOneByOneAsync(batch, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.IngestWriteFailed(_logger, ex, _pending.Count);
            return BatchResult.Failed;
        }
    }

    private async Task<BatchResult> CreateMissingPartitionsAsync(IReadOnlyList<ProbeSample> batch, CancellationToken cancellationToken)
    {
        var days = batch.Select(DayOf).ToHashSet();
        IReadOnlySet<DateOnly> available;
        try
        {
            available = await _partitions.EnsurePartitionsForSamplesAsync(days, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.IngestWriteFailed(_logger, ex, _pending.Count);
            return BatchResult.Failed;
        }

        if (days.IsSubsetOf(available))
        {
            return BatchResult.Retry;
        }

        // Samples dated outside the window maintenance keeps (a skewed clock, a replayed backlog) would only
        // create partitions that retention drops again, or far-future ones it never reaches.
        var dropped = _pending.DropFromBatch(sample => !available.Contains(DayOf(sample)));
        StorageMetrics.SamplesDropped.WithLabels(StorageMetrics.DropReason.OutOfRange).Inc(dropped);
        Log.IngestOutOfRange(_logger, dropped, string.Join(", ", days.Except(available).Order()));
        return BatchResult.Retry;
    }

    private async Task<BatchResult> WriteOneByOneAsync(IReadOnlyList<ProbeSample> batch, CancellationToken cancellationToken)
    {
        ProbeSample[] single = [default!];
        foreach (var sample in batch)
        {
            single[0] = sample;
            try
            {
                await _writer.WriteAsync(single, cancellationToken);
                Written(1);
            }
            catch (Exception ex) when (IsRejectedData(ex))
            {
                _pending.CompleteHead(1);
                StorageMetrics.SamplesDropped.WithLabels(StorageMetrics.DropReason.Rejected).Inc();
                Log.IngestSampleRejected(_logger, ex, sample.Target.Value, sample.ObservedAt);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // What is left stays at the head of the queue for the next attempt (missing partitions included).
                Log.IngestWriteFailed(_logger, ex, _pending.Count);
                return BatchResult.Failed;
            }
        }

        return BatchResult.Written;
    }

    private async Task DrainAsync()
    {
        _channel.Writer.TryComplete();
        TakeQueued(int.MaxValue);
        var attempts = 0;
        try
        {
            while (_pending.Count > 0 && attempts < ShutdownAttempts)
            {
                var result = await WriteNextBatchAsync(_shutdownToken);
                if (result == BatchResult.Failed)
                {
                    attempts++;
                    await Task.Delay(Backoff(attempts), _timeProvider, _shutdownToken);
                }
            }
        }
        catch (OperationCanceledException) when (_shutdownToken.IsCancellationRequested)
        {
        }

        if (_pending.Clear() is > 0 and var lost)
        {
            StorageMetrics.SamplesDropped.WithLabels(StorageMetrics.DropReason.Shutdown).Inc(lost);
            Log.IngestShutdownLost(_logger, lost);
        }

        ReportState();
    }

    private void Written(int count)
    {
        _pending.CompleteHead(count);
        StorageMetrics.SamplesIngested.Inc(count);
    }

    private void ReportState()
    {
        StorageMetrics.IngestBuffered.Set(_pending.Count + _channel.Reader.Count);
        var refused = Interlocked.Exchange(ref _refusedSinceLastReport, 0);
        if (refused > 0)
        {
            Log.IngestQueueFull(_logger, refused, _options.IngestCapacity);
        }
    }

    // Jitter so replicas that lost the same Postgres do not return in lockstep.
    private TimeSpan Backoff(int failures) =>
        DeliveryBackoff.Next(failures, FirstRetryDelay, _options.IngestMaxRetryDelay, Random.Shared.NextDouble());

    private static DateOnly DayOf(ProbeSample sample) => DateOnly.FromDateTime(sample.ObservedAt.UtcDateTime);

    internal static bool IsMissingPartition(PostgresException ex) =>
        ex.SqlState == PostgresErrorCodes.CheckViolation
        && ex.MessageText.Contains("no partition of relation", StringComparison.Ordinal);

    // Errors that retrying the same rows can never fix: data exceptions (class 22), integrity violations
    // (class 23) and values the client could not encode.
    internal static bool IsRejectedData(Exception ex) => ex switch
    {
        PostgresException pg => !IsMissingPartition(pg) && (pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("23", StringComparison.Ordinal)),
        ArgumentException or InvalidCastException or OverflowException => true, // incl. EncoderFallbackException
        NpgsqlException { InnerException: { } inner } => IsRejectedData(inner),
        _ => false,
    };

    private enum BatchResult
    {
        Written,
        Retry,
        Failed,
    }
}
