using ControlPlane.Core.Probing;
using Npgsql;
using ControlPlane.Service.Hosting;
using NpgsqlTypes;

namespace ControlPlane.Service.Storage;

/// <summary>Writes probe samples with one binary COPY per batch: all of the batch lands, or none of it.</summary>
public sealed class ProbeSampleCopyWriter(NpgsqlDataSource dataSource, ReplicaIdentity replica)
{
    // Detail is meant to be a short description; a runaway exception text must not bloat every row.
    internal const int MaxDetailLength = 1000;

    private const string CopyCommand =
        "COPY probe_samples (target_id, provider_id, model, outcome, mode, observed_at, latency_ms, ttft_ms, " +
        "http_status, retry_after_ms, detail, source, input_tokens, output_tokens, reasoning_tokens) FROM STDIN (FORMAT BINARY)";

    /// <summary>Writes the samples; returns the number of rows Postgres reports.</summary>
    public async Task<ulong> WriteAsync(IEnumerable<ProbeSample> samples, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var importer = await connection.BeginBinaryImportAsync(CopyCommand, cancellationToken);
        foreach (var sample in samples)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(sample.Target.Value, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(sample.ProviderId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(sample.Model, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync((short)sample.Outcome, NpgsqlDbType.Smallint, cancellationToken);
            await importer.WriteAsync((short)sample.Mode, NpgsqlDbType.Smallint, cancellationToken);
            await importer.WriteAsync(sample.ObservedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(sample.Latency.TotalMilliseconds, NpgsqlDbType.Double, cancellationToken);
            await WriteNullableAsync(importer, sample.TimeToFirstToken?.TotalMilliseconds, NpgsqlDbType.Double, cancellationToken);
            await WriteNullableAsync<short>(
                importer, sample.HttpStatus is { } status ? (short)Math.Clamp(status, short.MinValue, short.MaxValue) : null,
                NpgsqlDbType.Smallint, cancellationToken);
            await WriteNullableAsync<int>(
                importer, sample.RetryAfter is { } retryAfter ? (int)Math.Clamp(retryAfter.TotalMilliseconds, 0, int.MaxValue) : null,
                NpgsqlDbType.Integer, cancellationToken);
            if (Sanitize(sample.Detail) is { } detail)
            {
                await importer.WriteAsync(detail, NpgsqlDbType.Text, cancellationToken);
            }
            else
            {
                await importer.WriteNullAsync(cancellationToken);
            }

            await importer.WriteAsync(replica.Id, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, sample.Usage?.InputTokens, NpgsqlDbType.Integer, cancellationToken);
            await WriteNullableAsync(importer, sample.Usage?.OutputTokens, NpgsqlDbType.Integer, cancellationToken);
            await WriteNullableAsync(importer, sample.Usage?.ReasoningTokens, NpgsqlDbType.Integer, cancellationToken);
        }

        return await importer.CompleteAsync(cancellationToken);
    }

    private static async Task WriteNullableAsync<T>(
        NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct
    {
        if (value is { } present)
        {
            await importer.WriteAsync(present, type, cancellationToken);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken);
        }
    }

    // Postgres text cannot hold NUL; one such sample would otherwise fail its whole batch forever.
    internal static string? Sanitize(string? detail)
    {
        if (detail is null)
        {
            return null;
        }

        if (detail.Contains('\0', StringComparison.Ordinal))
        {
            detail = detail.Replace("\0", "", StringComparison.Ordinal);
        }

        if (detail.Length <= MaxDetailLength)
        {
            return detail;
        }

        // Never cut a surrogate pair in half: a lone surrogate is not encodable as UTF-8.
        var length = char.IsHighSurrogate(detail[MaxDetailLength - 1]) ? MaxDetailLength - 1 : MaxDetailLength;
        return detail[..length];
    }
}
