using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ControlPlane.Testing;

/// <summary>
/// Runs a built ControlPlane executable (service, gateway…) as a real child process on loopback, configured through
/// environment variables, the way an operator runs it. Output is captured for failure messages.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private int _disposed;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The OS process id (for /proc readings in benchmarks). `dotnet app.dll` runs the app in this process.</summary>
    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Path of a project's built entry assembly, in the same configuration as the running tests.</summary>
    public static string AssemblyPath(string projectName)
    {
        // Benchmarks compare builds side by side: CONTROLPLANE_BUILD_<project, dots as underscores> names the output
        // folder of another build of that project (e.g. CONTROLPLANE_BUILD_ControlPlane_Gateway=/tmp/old/…/net10.0).
        if (Environment.GetEnvironmentVariable("CONTROLPLANE_BUILD_" + projectName.Replace('.', '_')) is { Length: > 0 } other)
        {
            var otherPath = Path.Combine(other, projectName + ".dll");
            return File.Exists(otherPath) ? otherPath : throw new FileNotFoundException($"No {projectName} build in {other}.", otherPath);
        }

        // …/tests/X/bin/<Configuration>/net10.0/ — trim the trailing separator so Parent is <Configuration>.
        var testDir = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        var configuration = new DirectoryInfo(testDir).Parent!.Name;
        var root = RepositoryRoot();
        var path = Path.Combine(root, "src", projectName, "bin", configuration, "net10.0", projectName + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{projectName} is not built in {configuration}; build the solution first.", path);
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ControlPlane.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (ControlPlane.sln).");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the process and, when <paramref name="readyPath"/> is given, waits until it answers 200 there.</summary>
    public static async Task<ServiceProcess> StartAsync(
        string projectName,
        IReadOnlyDictionary<string, string?> environment,
        string[]? arguments = null,
        string? readyPath = "/readyz",
        TimeSpan? readyTimeout = null,
        IReadOnlyList<string>? launcher = null)
    {
        var port = FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}/");

        // A launcher (e.g. strace) runs `dotnet app.dll` under it: its arguments come first, then dotnet.
        var info = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(AssemblyPath(projectName))!,
        };
        foreach (var argument in launcher?.Skip(1).Append("dotnet") ?? [])
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add(AssemblyPath(projectName));
        foreach (var argument in arguments ?? [])
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["ASPNETCORE_URLS"] = baseUrl.ToString().TrimEnd('/');
        info.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, baseUrl);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        if (readyPath is not null)
        {
            await service.WaitUntilReadyAsync(readyPath, readyTimeout ?? TimeSpan.FromSeconds(60));
        }

        return service;
    }

    /// <summary>Runs a command to completion (e.g. <c>migrate</c>) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToCompletionAsync(
        string projectName, IReadOnlyDictionary<string, string?> environment, string[] arguments, TimeSpan timeout)
    {
        await using var process = await StartAsync(projectName, environment, arguments, readyPath: null);
        using var cts = new CancellationTokenSource(timeout);
        await process._process.WaitForExitAsync(cts.Token);
        process._process.WaitForExit(); // flushes the redirected output
        return (process._process.ExitCode, process.Output);
    }

    private async Task WaitUntilReadyAsync(string path, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process exited with code {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Not ready at {path} within {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>SIGKILL: no graceful shutdown, like a crashed pod.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A test may stop a process its stack also stops at the end: the second call does nothing.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
