using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace ControlPlane.Testing;

/// <summary>
/// A Postgres server and a RabbitMQ node of the test's own, from the OS packages, on loopback and free ports — the
/// same recipe as scripts/services.sh. Chaos tests stop and restart them (data and ports kept, so clients reconnect
/// to the same address) without disturbing the shared servers other test classes use in parallel.
/// </summary>
public sealed class ThrowawayServers : IAsyncDisposable
{
    private ThrowawayServers(ThrowawayPostgres postgres, ThrowawayRabbitMq rabbitMq)
    {
        Postgres = postgres;
        RabbitMq = rabbitMq;
    }

    public ThrowawayPostgres Postgres { get; }

    public ThrowawayRabbitMq RabbitMq { get; }

    public static async Task<ThrowawayServers> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("cp-chaos-").FullName;
        // Postgres runs as another user when we are root: it must be able to reach its data directory.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        var postgres = await ThrowawayPostgres.StartAsync(Path.Combine(root, "pg"));
        try
        {
            var rabbitMq = await ThrowawayRabbitMq.StartAsync(Path.Combine(root, "rabbit"));
            return new ThrowawayServers(postgres, rabbitMq);
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await RabbitMq.DisposeAsync();
        await Postgres.DisposeAsync();
        var root = Path.GetDirectoryName(Postgres.DataDirectory)!;
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A straggling server process still writing a log: the temp dir is cleaned by the OS eventually.
        }
    }

    internal static int FreePort()
    {
        // Above the ephemeral range Linux hands out for outgoing connections, so a restart finds its port still free.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            using var client = new TcpClient();
            try
            {
                client.Connect("127.0.0.1", port);
            }
            catch (SocketException)
            {
                return port;
            }
        }

        throw new InvalidOperationException("No free port on 127.0.0.1.");
    }

    internal static async Task<bool> ListensAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(
        string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = new Process { StartInfo = info };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in time:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}

/// <summary>A Postgres cluster in its own data directory (initdb + pg_ctl, as the postgres user when we are root).</summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string _binDirectory;
    private readonly bool _asPostgresUser;

    private ThrowawayPostgres(string dataDirectory, string binDirectory, int port, bool asPostgresUser)
    {
        DataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public bool IsRunning { get; private set; }

    /// <summary>Superuser, database "postgres".</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Password=postgres;Database=postgres;Timeout=5";

    internal static async Task<ThrowawayPostgres> StartAsync(string dataDirectory)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("No Postgres in /usr/lib/postgresql/*/bin; run scripts/test.sh once (it installs the OS packages).");
        }

        var asPostgres = Environment.UserName == "root";
        Directory.CreateDirectory(dataDirectory);
        if (asPostgres)
        {
            await Checked(ThrowawayServers.RunAsync("chown", ["-R", "postgres", dataDirectory]));
        }

        var server = new ThrowawayPostgres(dataDirectory, bin, ThrowawayServers.FreePort(), asPostgres);
        await Checked(server.RunAsync("initdb", ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]));
        await File.AppendAllTextAsync(Path.Combine(dataDirectory, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            port = {server.Port}
            unix_socket_directories = ''
            max_connections = 200
            fsync = off
            synchronous_commit = off
            full_page_writes = off

            """);
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server again on the same port with the same data.</summary>
    public async Task StartAsync()
    {
        await Checked(RunAsync("pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(DataDirectory, "postgres.log"), "-w", "-t", "60", "start"]));
        IsRunning = true;
    }

    /// <summary>A fast shutdown: every client connection is cut, nothing is accepted until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Checked(RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"]));
        IsRunning = false;
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            NpgsqlConnection.ClearAllPools();
            await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "stop"]);
        }

        IsRunning = false;
    }

    private Task<(int, string)> RunAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(_binDirectory, tool);
        return _asPostgresUser
            ? ThrowawayServers.RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments])
            : ThrowawayServers.RunAsync(path, arguments);
    }

    private static async Task Checked(Task<(int ExitCode, string Output)> run)
    {
        var (exitCode, output) = await run;
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"Postgres command failed ({exitCode}):\n{output}");
        }
    }
}

/// <summary>
/// A RabbitMQ node with its own node name, ports, Erlang cookie and mnesia directory. Stopping it stops the whole node;
/// starting it again brings back the same node (durable exchanges kept) on the same port.
/// </summary>
public sealed class ThrowawayRabbitMq : IAsyncDisposable
{
    private const string Bin = "/usr/lib/rabbitmq/bin";
    private readonly string _directory;
    private readonly Dictionary<string, string> _environment;

    private ThrowawayRabbitMq(string directory, int port, Dictionary<string, string> environment)
    {
        _directory = directory;
        Port = port;
        _environment = environment;
    }

    public int Port { get; }

    public string NodeName => _environment["RABBITMQ_NODENAME"];

    public string Uri => $"amqp://guest:guest@127.0.0.1:{Port}/";

    public bool IsRunning { get; private set; }

    internal static async Task<ThrowawayRabbitMq> StartAsync(string directory)
    {
        if (!File.Exists(Path.Combine(Bin, "rabbitmq-server")))
        {
            throw new InvalidOperationException($"No RabbitMQ in {Bin}; run scripts/test.sh once (it installs the OS packages).");
        }

        var port = ThrowawayServers.FreePort();
        Directory.CreateDirectory(Path.Combine(directory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(directory, "log"));
        await File.WriteAllTextAsync(Path.Combine(directory, "enabled_plugins"), "[].");
        await File.WriteAllTextAsync(Path.Combine(directory, "rabbitmq.conf"), "loopback_users = none\nlog.console = false\n");
        var environment = new Dictionary<string, string>
        {
            ["RABBITMQ_NODENAME"] = $"cpchaos{port}@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = ThrowawayServers.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ERL_EPMD_PORT"] = ThrowawayServers.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(directory, "rabbit.pid"),
            ["HOME"] = directory, // the Erlang cookie lives here, shared by the server and rabbitmqctl
        };
        var node = new ThrowawayRabbitMq(directory, port, environment);
        await node.StartAsync();
        return node;
    }

    /// <summary>Starts the node (again) and waits until it accepts AMQP connections.</summary>
    public async Task StartAsync()
    {
        var (exitCode, output) = await ThrowawayServers.RunAsync(Path.Combine(Bin, "rabbitmq-server"), ["-detached"], _environment);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmq-server -detached failed ({exitCode}):\n{output}");
        }

        // The AMQP listener opens at the end of the boot.
        var clock = Stopwatch.StartNew();
        while (!await ThrowawayServers.ListensAsync(Port))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new TimeoutException($"RabbitMQ did not open 127.0.0.1:{Port}:\n{Logs()}");
            }

            await Task.Delay(200);
        }

        IsRunning = true;
    }

    /// <summary>Stops the whole node: every connection is closed and the port refuses until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        var (exitCode, output) = await ThrowawayServers.RunAsync(Path.Combine(Bin, "rabbitmqctl"), ["-n", NodeName, "stop", Path.Combine(_directory, "rabbit.pid")], _environment);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl stop failed ({exitCode}):\n{output}");
        }

        var clock = Stopwatch.StartNew();
        while (await ThrowawayServers.ListensAsync(Port) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(200);
        }

        IsRunning = false;
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            var (exitCode, _) = await ThrowawayServers.RunAsync(Path.Combine(Bin, "rabbitmqctl"), ["-n", NodeName, "stop"], _environment, TimeSpan.FromSeconds(30));
            var pidFile = Path.Combine(_directory, "rabbit.pid");
            if (exitCode != 0 && File.Exists(pidFile) && int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), out var pid))
            {
                // The node we started did not stop when asked: end it by its id.
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
            }

            IsRunning = false;
        }

        // The node started its own epmd on our port; nothing else uses it.
        await ThrowawayServers.RunAsync("epmd", ["-port", _environment["ERL_EPMD_PORT"], "-kill"], _environment, TimeSpan.FromSeconds(10));
    }

    private string Logs()
    {
        var log = Path.Combine(_directory, "log");
        return Directory.Exists(log)
            ? string.Join("\n", Directory.GetFiles(log).Select(f => File.ReadAllText(f)).Select(t => t.Length > 3000 ? t[^3000..] : t))
            : "";
    }
}
