using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Service.Storage;

/// <summary>
/// EF Core mapping for reads. The schema belongs to the SQL files in migrations/; there are no EF migrations,
/// so the mapping only has to name the existing tables and columns.
/// </summary>
public sealed class ControlPlaneDbContext(DbContextOptions<ControlPlaneDbContext> options) : DbContext(options)
{
    internal DbSet<ProbeSampleRow> ProbeSamples => Set<ProbeSampleRow>();

    internal DbSet<ProbeRollupRow> ProbeRollups => Set<ProbeRollupRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ProbeSampleRow>(sample =>
        {
            // Raw samples have no key: they are appended by COPY and only ever read.
            sample.HasNoKey();
            sample.ToTable("probe_samples");
            sample.Property(s => s.TargetId).HasColumnName("target_id");
            sample.Property(s => s.ProviderId).HasColumnName("provider_id");
            sample.Property(s => s.Model).HasColumnName("model");
            sample.Property(s => s.Outcome).HasColumnName("outcome");
            sample.Property(s => s.Mode).HasColumnName("mode");
            sample.Property(s => s.ObservedAt).HasColumnName("observed_at");
            sample.Property(s => s.LatencyMs).HasColumnName("latency_ms");
            sample.Property(s => s.TtftMs).HasColumnName("ttft_ms");
            sample.Property(s => s.HttpStatus).HasColumnName("http_status");
            sample.Property(s => s.RetryAfterMs).HasColumnName("retry_after_ms");
            sample.Property(s => s.Detail).HasColumnName("detail");
            sample.Property(s => s.Source).HasColumnName("source");
            sample.Property(s => s.IngestedAt).HasColumnName("ingested_at");
            sample.Property(s => s.InputTokens).HasColumnName("input_tokens");
            sample.Property(s => s.OutputTokens).HasColumnName("output_tokens");
            sample.Property(s => s.ReasoningTokens).HasColumnName("reasoning_tokens");
        });

        modelBuilder.Entity<ProbeRollupRow>(rollup =>
        {
            rollup.ToTable("probe_rollups_1m");
            rollup.HasKey(r => new { r.TargetId, r.BucketStart });
            rollup.Property(r => r.TargetId).HasColumnName("target_id");
            rollup.Property(r => r.BucketStart).HasColumnName("bucket_start");
            rollup.Property(r => r.ProviderId).HasColumnName("provider_id");
            rollup.Property(r => r.Model).HasColumnName("model");
            rollup.Property(r => r.Total).HasColumnName("total");
            rollup.Property(r => r.Success).HasColumnName("success");
            rollup.Property(r => r.Slow).HasColumnName("slow");
            rollup.Property(r => r.Overloaded).HasColumnName("overloaded");
            rollup.Property(r => r.RateLimited).HasColumnName("rate_limited");
            rollup.Property(r => r.QuotaExceeded).HasColumnName("quota_exceeded");
            rollup.Property(r => r.ServerError).HasColumnName("server_error");
            rollup.Property(r => r.Timeout).HasColumnName("timeout");
            rollup.Property(r => r.ConnectFailure).HasColumnName("connect_failure");
            rollup.Property(r => r.AuthFailure).HasColumnName("auth_failure");
            rollup.Property(r => r.BadRequest).HasColumnName("bad_request");
            rollup.Property(r => r.StreamError).HasColumnName("stream_error");
            rollup.Property(r => r.MalformedResponse).HasColumnName("malformed_response");
            rollup.Property(r => r.LatencyP50Ms).HasColumnName("latency_p50_ms");
            rollup.Property(r => r.LatencyP95Ms).HasColumnName("latency_p95_ms");
            rollup.Property(r => r.LatencyP99Ms).HasColumnName("latency_p99_ms");
            rollup.Property(r => r.TtftP50Ms).HasColumnName("ttft_p50_ms");
            rollup.Property(r => r.TtftP95Ms).HasColumnName("ttft_p95_ms");
            rollup.Property(r => r.UpdatedAt).HasColumnName("updated_at");
            rollup.Property(r => r.InputTokens).HasColumnName("input_tokens");
            rollup.Property(r => r.OutputTokens).HasColumnName("output_tokens");
            rollup.Property(r => r.ReasoningTokens).HasColumnName("reasoning_tokens");
        });
    }
}

/// <summary>A probe_samples row as stored.</summary>
internal sealed class ProbeSampleRow
{
    public required string TargetId { get; init; }
    public required string ProviderId { get; init; }
    public required string Model { get; init; }
    public short Outcome { get; init; }
    public short Mode { get; init; }
    public DateTimeOffset ObservedAt { get; init; }
    public double LatencyMs { get; init; }
    public double? TtftMs { get; init; }
    public short? HttpStatus { get; init; }
    public int? RetryAfterMs { get; init; }
    public string? Detail { get; init; }
    public string Source { get; init; } = "";
    public DateTimeOffset IngestedAt { get; init; }
    public int? InputTokens { get; init; }
    public int? OutputTokens { get; init; }
    public int? ReasoningTokens { get; init; }
}

/// <summary>A probe_rollups_1m row as stored.</summary>
internal sealed class ProbeRollupRow
{
    public required string TargetId { get; init; }
    public DateTimeOffset BucketStart { get; init; }
    public required string ProviderId { get; init; }
    public required string Model { get; init; }
    public int Total { get; init; }
    public int Success { get; init; }
    public int Slow { get; init; }
    public int Overloaded { get; init; }
    public int RateLimited { get; init; }
    public int QuotaExceeded { get; init; }
    public int ServerError { get; init; }
    public int Timeout { get; init; }
    public int ConnectFailure { get; init; }
    public int AuthFailure { get; init; }
    public int BadRequest { get; init; }
    public int StreamError { get; init; }
    public int MalformedResponse { get; init; }
    public double? LatencyP50Ms { get; init; }
    public double? LatencyP95Ms { get; init; }
    public double? LatencyP99Ms { get; init; }
    public double? TtftP50Ms { get; init; }
    public double? TtftP95Ms { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long ReasoningTokens { get; init; }
}
