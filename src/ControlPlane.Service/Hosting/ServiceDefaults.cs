using ControlPlane.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using Prometheus;

namespace ControlPlane.Service.Hosting;

/// <summary>What every ControlPlane host has: ProblemDetails, OpenAPI, health endpoints, metrics, TimeProvider.</summary>
public static class ServiceDefaults
{
    public const string ConfigFileVariable = ConfigFileSource.Variable;

    /// <summary>
    /// Only our own checks decide readiness. Libraries (MassTransit) tag theirs "ready" too, and a broker outage must not
    /// take the control plane out of its Service: it keeps probing, evaluating and serving snapshots meanwhile.
    /// </summary>
    public const string ReadinessTag = "controlplane-ready";

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        ConfigFileSource.AddTo(builder);
        MetricsDefaults.SkipRuntimeMeters();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ReplicaIdentity>();
        builder.Services.AddHealthChecks()
            .AddCheck<PostgresReadinessCheck>("postgres", tags: [ReadinessTag]);
        return builder;
    }

    /// <summary>
    /// Runs every <c>ValidateOnStart</c> check at once and prints each problem on its own line; false when any failed.
    /// Left to the host, the first hosted service that depends on an invalid section (the catalog, say) throws for that
    /// section alone, before the host's own start-up validation could list the problems of every section together.
    /// </summary>
    public static bool ValidateConfiguration(this WebApplication app)
    {
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            return true;
        }
        catch (Exception e) when (e is OptionsValidationException or AggregateException)
        {
            var failures = (e is AggregateException aggregate ? aggregate.InnerExceptions : [e])
                .SelectMany(inner => inner is OptionsValidationException options ? options.Failures : [inner.Message]);
            Console.Error.WriteLine("Invalid configuration; the service cannot start:");
            foreach (var failure in failures)
            {
                Console.Error.WriteLine($"  - {failure}");
            }

            return false;
        }
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpMetrics();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapMetrics();

        // Liveness: the process answers. Readiness: it can reach Postgres, so it is worth sending work to.
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains(ReadinessTag) });
        return app;
    }
}

internal sealed class PostgresReadinessCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // The exception type only: connection errors can echo parts of the connection string.
            return HealthCheckResult.Unhealthy($"Postgres unreachable ({e.GetType().Name})");
        }
    }
}
