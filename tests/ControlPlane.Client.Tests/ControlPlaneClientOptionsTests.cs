using ControlPlane.Client.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Client.Tests;

public sealed class ControlPlaneClientOptionsTests
{
    [Fact]
    public void Validate_ListsEveryProblemAtOnce()
    {
        var options = new ControlPlaneClientOptions
        {
            ControlPlaneUrl = "ftp://nope",
            RabbitMqUri = null,
            SubscriberId = " ",
            TrustedKeys = { ["k1"] = "/does/not/exist.pem", ["k2"] = "-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----" },
            StatusReportInterval = TimeSpan.Zero,
        };

        var result = new ControlPlaneClientOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("ControlPlaneUrl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("RabbitMqUri", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("SubscriberId", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("TrustedKeys:k1", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("TrustedKeys:k2", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("StatusReportInterval", StringComparison.Ordinal));
        Assert.Equal(6, failures.Count);
    }

    [Fact]
    public void Defaults_AreSdkKindAndAUniqueSubscriberIdPerInstance()
    {
        var a = new ControlPlaneClientOptions();
        var b = new ControlPlaneClientOptions();

        Assert.Equal("sdk", a.Kind);
        Assert.NotEqual(a.SubscriberId, b.SubscriberId);
        Assert.StartsWith(Environment.MachineName.ToLowerInvariant() + "-", a.SubscriberId, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(10), a.StatusReportInterval);
    }

    [Fact]
    public async Task AddControlPlaneClient_BindsTheConfigurationSection_IncludingKeyFiles()
    {
        using var tables = new TestTables();
        var keyFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(keyFile, tables.PublicKeyPem);
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ControlPlaneClient:ControlPlaneUrl"] = "http://127.0.0.1:1/",
                ["ControlPlaneClient:RabbitMqUri"] = "amqp://guest:guest@127.0.0.1:1/",
                ["ControlPlaneClient:SubscriberId"] = "gw-1",
                ["ControlPlaneClient:Kind"] = "gateway",
                ["ControlPlaneClient:TrustedKeys:cp-2025-06"] = keyFile,
                ["ControlPlaneClient:StatusReportInterval"] = "00:00:03",
            });
            builder.AddControlPlaneClient();
            using var host = builder.Build();

            var options = host.Services.GetRequiredService<IOptions<ControlPlaneClientOptions>>().Value;

            Assert.Equal(("gw-1", "gateway", TimeSpan.FromSeconds(3)), (options.SubscriberId, options.Kind, options.StatusReportInterval));
            Assert.Equal(tables.PublicKeyPem, options.ResolveTrustedKeyPems()["cp-2025-06"]);
            Assert.Null(host.Services.GetRequiredService<IRoutingTableSource>().Current);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task HostStart_WithInvalidOptions_FailsListingTheProblems()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddControlPlaneClient(o => o.ControlPlaneUrl = "not a url");
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(e.Failures, f => f.Contains("ControlPlaneUrl", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains("TrustedKeys", StringComparison.Ordinal));
    }
}
