using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ControlPlane.Testing;

namespace ControlPlane.Service.Tests.Integration.Observability;

/// <summary>
/// A real Prometheus (the Debian package's binary) on loopback with a throwaway data directory, scraping the given
/// targets every second and loading the repository's alert rules, queried through its HTTP API.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private PrometheusServer(Process process, string directory, Uri baseUrl)
    {
        _process = process;
        _directory = directory;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Http { get; }

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

    /// <summary>The prometheus binary on PATH (or /usr/bin), or null when it is not installed.</summary>
    public static string? FindBinary()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(dir => Path.Combine(dir, "prometheus"));
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Starts Prometheus with one static job per entry of <paramref name="jobs"/> (job name → host:port targets).</summary>
    public static async Task<PrometheusServer> StartAsync(string binary, IReadOnlyDictionary<string, string[]> jobs, string rulesFile)
    {
        var directory = Directory.CreateTempSubdirectory("controlplane-prometheus-").FullName;
        var config = new StringBuilder()
            .AppendLine("global:")
            .AppendLine("  scrape_interval: 1s")
            .AppendLine("  evaluation_interval: 1s")
            .AppendLine("rule_files:")
            .AppendLine(CultureInfo.InvariantCulture, $"  - {JsonSerializer.Serialize(rulesFile)}")
            .AppendLine("scrape_configs:");
        foreach (var (job, targets) in jobs)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: {job}")
                .AppendLine("    static_configs:")
                .AppendLine(CultureInfo.InvariantCulture, $"      - targets: [{string.Join(", ", targets.Select(t => JsonSerializer.Serialize(t)))}]");
        }

        var configFile = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, config.ToString());

        var port = ServiceProcess.FreePort();
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[]
                 {
                     $"--config.file={configFile}",
                     $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}",
                     "--log.level=warn",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        await Eventually.UntilAsync(
            async () => process.HasExited
                ? throw new InvalidOperationException($"prometheus exited with code {process.ExitCode}:\n{server.Output}")
                : (await server.Http.GetAsync(new Uri("-/ready", UriKind.Relative))).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30),
            "Prometheus answers on /-/ready");
        return server;
    }

    /// <summary>Evaluates an instant query now.</summary>
    public async Task<QueryResult> QueryAsync(string expression)
    {
        using var response = await Http.PostAsync(
            new Uri("api/v1/query", UriKind.Relative),
            new FormUrlEncodedContent([new("query", expression)]));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            return new QueryResult(Error: $"{root.GetProperty("errorType").GetString()}: {root.GetProperty("error").GetString()}", Series: 0, NumericSeries: 0);
        }

        var data = root.GetProperty("data");
        var result = data.GetProperty("result");
        return data.GetProperty("resultType").GetString() switch
        {
            "vector" => new QueryResult(null, result.GetArrayLength(), result.EnumerateArray().Count(s => IsNumber(s.GetProperty("value")))),
            "scalar" => new QueryResult(null, 1, IsNumber(result) ? 1 : 0),
            "matrix" => new QueryResult(null, result.GetArrayLength(), result.GetArrayLength()),
            var other => new QueryResult($"unexpected result type {other}", 0, 0),
        };
    }

    /// <summary>Every alerting and recording rule Prometheus loaded, with its health after the latest evaluation.</summary>
    public async Task<IReadOnlyList<LoadedRule>> RulesAsync()
    {
        using var body = JsonDocument.Parse(await Http.GetStringAsync(new Uri("api/v1/rules", UriKind.Relative)));
        return body.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(group => group.GetProperty("rules").EnumerateArray().Select(rule => new LoadedRule(
                group.GetProperty("name").GetString()!,
                rule.GetProperty("name").GetString()!,
                rule.GetProperty("query").GetString()!,
                rule.GetProperty("health").GetString()!,
                rule.TryGetProperty("lastError", out var error) ? error.GetString() : null)))
            .ToList();
    }

    /// <summary>Prometheus renders NaN and ±Inf as strings; a panel showing only those shows no data.</summary>
    private static bool IsNumber(JsonElement sample) =>
        double.TryParse(sample[1].GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value);

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

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

internal sealed record QueryResult(string? Error, int Series, int NumericSeries);

internal sealed record LoadedRule(string Group, string Name, string Query, string Health, string? LastError);
