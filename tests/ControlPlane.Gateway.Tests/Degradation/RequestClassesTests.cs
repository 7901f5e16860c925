using System.Security.Cryptography;
using System.Text;
using ControlPlane.Gateway.Degradation;
using ControlPlane.Gateway.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Tests.Degradation;

/// <summary>Where a request's class comes from: its header first, then its client key's default, else none.</summary>
public sealed class RequestClassesTests
{
    private const string BatchKey = "sk-batch-job";
    private static readonly string BatchHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(BatchKey)));

    private static readonly RequestClasses Classes = new(Options.Create(new GatewayOptions
    {
        ClientKeys = [BatchHash],
        ClientKeyClasses = new() { [BatchHash.ToUpperInvariant()] = "background" },
    }));

    private static HttpRequest Request(string? header = null, string? bearer = null)
    {
        var context = new DefaultHttpContext();
        if (header is not null)
        {
            context.Request.Headers[RequestClasses.Header] = header;
        }

        if (bearer is not null)
        {
            context.Request.Headers.Authorization = $"Bearer {bearer}";
        }

        return context.Request;
    }

    [Fact]
    public void Header_WinsOverTheKeysDefault() => Assert.Equal("critical", Classes.Requested(Request(" critical ", BatchKey)));

    [Fact]
    public void KeyDefault_AppliesWhenTheHeaderIsAbsent() => Assert.Equal("background", Classes.Requested(Request(bearer: BatchKey)));

    [Fact]
    public void NeitherHeaderNorKnownKey_IsNoClass() => Assert.Null(Classes.Requested(Request(bearer: "sk-someone-else")));

    [Fact]
    public void MalformedHeader_IsRefused() =>
        Assert.Throws<InvalidRequestClassException>(() => Classes.Requested(Request("Critical!")));

    [Fact]
    public void Validate_ClassOfAnUnknownKey_OrAnInvalidName_IsListed()
    {
        var options = new GatewayOptions
        {
            Providers = [new() { Id = "local", Kind = "openai-compatible", BaseUrl = "http://127.0.0.1:11434" }],
            ClientKeys = [BatchHash],
            ClientKeyClasses = new() { [new string('a', 64)] = "background", [BatchHash] = "Bulk Jobs" },
            Degradation = new() { MaxHeldRequests = -1 },
        };

        var failures = new GatewayOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.Contains($"ClientKeyClasses: '{new string('a', 64)}' is not one of ClientKeys", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("class 'Bulk Jobs' must be", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Degradation:MaxHeldRequests", StringComparison.Ordinal));
        Assert.Equal(3, failures.Count);
    }
}
