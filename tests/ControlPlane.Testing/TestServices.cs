using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace ControlPlane.Testing;

/// <summary>
/// Where the integration tests find Postgres and RabbitMQ. The test command (scripts/test.sh) starts both from the
/// OS packages and exports their addresses; on a laptop with Docker and no variables set, Testcontainers starts them.
/// </summary>
public static class TestServices
{
    public const string PostgresVariable = "CONTROLPLANE_TEST_POSTGRES";
    public const string RabbitMqVariable = "CONTROLPLANE_TEST_RABBITMQ";

    private const string HowToRun =
        "Run the tests with `bash scripts/test.sh` (it installs and starts Postgres and RabbitMQ on loopback), " +
        $"or set {PostgresVariable} / {RabbitMqVariable}, or start a Docker engine so Testcontainers can run them.";

    private static readonly Lazy<Task<string>> Postgres = new(StartPostgresAsync);
    private static readonly Lazy<Task<string>> RabbitMq = new(StartRabbitMqAsync);

    public static Task<string> PostgresAsync() => Postgres.Value;

    public static Task<string> RabbitMqAsync() => RabbitMq.Value;

    private static async Task<string> StartPostgresAsync()
    {
        var configured = Environment.GetEnvironmentVariable(PostgresVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        EnsureDocker("Postgres");
        var container = new PostgreSqlBuilder("postgres:15").Build();
        await container.StartAsync();
        return container.GetConnectionString();
    }

    private static async Task<string> StartRabbitMqAsync()
    {
        var configured = Environment.GetEnvironmentVariable(RabbitMqVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        EnsureDocker("RabbitMQ");
        var container = new RabbitMqBuilder("rabbitmq:3.13").Build();
        await container.StartAsync();
        return container.GetConnectionString();
    }

    private static void EnsureDocker(string what)
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrEmpty(dockerHost) && !File.Exists("/var/run/docker.sock"))
        {
            throw new InvalidOperationException($"No {what} for the integration tests: {HowToRun}");
        }
    }
}
