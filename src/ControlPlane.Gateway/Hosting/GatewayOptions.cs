using ControlPlane.Contracts;
using System.Globalization;
using ControlPlane.Gateway.Upstreams;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Hosting;

/// <summary>The "Gateway" section: provider endpoints and keys, the safety net, reports, inbound auth.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>
    /// Endpoint and credentials of every provider the routing table may name. The table only names targets
    /// (provider id + model): where they live and how to authenticate stays here, in the gateway's own config.
    /// </summary>
    public List<ProviderEndpointOptions> Providers { get; set; } = [];

    /// <summary>Most targets one request may try before the first byte reaches the client.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Total time the safety net may spend on one request before giving up on further targets.</summary>
    public TimeSpan AttemptBudget { get; set; } = TimeSpan.FromSeconds(150);

    /// <summary>TCP (and TLS) connect timeout to a provider.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Wait for response headers of a non-streaming request (they come after the whole completion).</summary>
    public TimeSpan ResponseHeadersTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Wait for response headers of a streaming request (providers answer as soon as the first token is ready).</summary>
    public TimeSpan StreamingResponseHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest silence between two chunks of a response body before the upstream counts as failed.</summary>
    public TimeSpan BodyIdleTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Largest request body accepted (it is buffered once, for the model rewrite and the safety net).</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// Largest non-streamed answer accepted from a provider. Whole answers are read before the first byte goes to the
    /// client (to check they are answers, and to translate them), so this bounds the memory one request can hold.
    /// </summary>
    public long MaxResponseBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// <c>max_tokens</c> sent to an Anthropic target when the client's API left the limit out (Anthropic requires one).
    /// A route entry's overlay can set its own default or ceiling.
    /// </summary>
    public int DefaultMaxTokens { get; set; } = 4096;

    /// <summary>Inbound virtual keys as lowercase hex SHA-256 of the key; empty = no inbound auth.</summary>
    public List<string> ClientKeys { get; set; } = [];

    /// <summary>How often per-target traffic is aggregated and published as a TrafficReport.</summary>
    public TimeSpan TrafficReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The local passive breaker, consulted only while the routing table is stale.</summary>
    public LocalBreakerOptions LocalBreaker { get; set; } = new();

    /// <summary>
    /// The request class of each client key's requests when they name none in <c>x-request-class</c>: key = the
    /// key's hash as in <see cref="ClientKeys"/>, value = a class name (e.g. <c>background</c> for a batch job's key).
    /// </summary>
    public Dictionary<string, string> ClientKeyClasses { get; set; } = [];

    /// <summary>How this gateway carries out the routes' degradation profiles.</summary>
    public DegradationOptions Degradation { get; set; } = new();

    /// <summary>Memory for the response cache of routes that enable one (docs/gateway.md, Cache).</summary>
    public Caching.ResponseCacheOptions ResponseCache { get; set; } = new();

    /// <summary>Adaptive per-target concurrency limits.</summary>
    public Limits.ConcurrencyLimitOptions Limits { get; set; } = new();
}

/// <summary>The gateway's share of degradation: the profile itself comes from the routing table.</summary>
public sealed class DegradationOptions
{
    /// <summary>
    /// Most requests this gateway holds at once (waiting for their class to be served again); one more is answered
    /// 503 with <c>Retry-After</c> at once. Held requests cost a connection and their buffered body each.
    /// </summary>
    public int MaxHeldRequests { get; set; } = 256;
}

/// <summary>One provider endpoint: id as in the catalog, kind, root URL, where its key is.</summary>
public sealed class ProviderEndpointOptions
{
    public string Id { get; set; } = "";

    /// <summary><c>anthropic</c>, <c>openai</c>, <c>gemini</c> or <c>openai-compatible</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Root URL, e.g. <c>https://api.anthropic.com</c> (paths such as <c>/v1/messages</c> are appended).</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Environment variable holding the key.</summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>File holding the key (a mounted secret).</summary>
    public string? ApiKeyFile { get; set; }
}

/// <summary>Consecutive failures of a target → skip it for a cooldown; only while the table is staler than <see cref="StaleAfter"/>.</summary>
public sealed class LocalBreakerOptions
{
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    public int ConsecutiveFailures { get; set; } = 5;

    public TimeSpan Cooldown { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Lists every problem of the section at once (keys are checked for presence, never printed).</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        const string S = GatewayOptions.SectionName;

        if (options.Providers.Count == 0)
        {
            failures.Add($"{S}:Providers must list at least one provider (Id, Kind, BaseUrl, ApiKeyEnv or ApiKeyFile).");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var p = options.Providers[i];
            var at = $"{S}:Providers:{i.ToString(CultureInfo.InvariantCulture)}";
            if (string.IsNullOrWhiteSpace(p.Id))
            {
                failures.Add($"{at}:Id must not be empty.");
            }
            else if (!seen.Add(p.Id))
            {
                failures.Add($"{at}:Id '{p.Id}' is listed twice.");
            }

            var kind = ProviderKinds.TryParse(p.Kind);
            if (kind is null)
            {
                failures.Add($"{at}:Kind '{p.Kind}' is not one of anthropic, openai, gemini, openai-compatible.");
            }

            if (!Uri.TryCreate(p.BaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"{at}:BaseUrl must be an absolute http(s) URL (got '{p.BaseUrl}').");
            }

            if (p.ApiKeyEnv is { Length: > 0 } && p.ApiKeyFile is { Length: > 0 })
            {
                failures.Add($"{at}: set ApiKeyEnv or ApiKeyFile, not both.");
            }
            else if (p.ApiKeyEnv is { Length: > 0 } variable)
            {
                if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
                {
                    failures.Add($"{at}:ApiKeyEnv names the environment variable '{variable}', which is not set.");
                }
            }
            else if (p.ApiKeyFile is { Length: > 0 } file)
            {
                if (!File.Exists(file))
                {
                    failures.Add($"{at}:ApiKeyFile '{file}' does not exist.");
                }
            }
            else if (kind is not null && kind != ProviderKind.OpenAICompatible)
            {
                failures.Add($"{at}: a {p.Kind} provider needs ApiKeyEnv or ApiKeyFile (only openai-compatible servers may go without a key).");
            }
        }

        if (options.MaxAttempts is < 1 or > 10)
        {
            failures.Add($"{S}:MaxAttempts must be between 1 and 10 (got {options.MaxAttempts}).");
        }

        Positive(options.AttemptBudget, "AttemptBudget", failures);
        Positive(options.ConnectTimeout, "ConnectTimeout", failures);
        Positive(options.ResponseHeadersTimeout, "ResponseHeadersTimeout", failures);
        Positive(options.StreamingResponseHeadersTimeout, "StreamingResponseHeadersTimeout", failures);
        Positive(options.BodyIdleTimeout, "BodyIdleTimeout", failures);
        Positive(options.TrafficReportInterval, "TrafficReportInterval", failures);
        Positive(options.LocalBreaker.StaleAfter, "LocalBreaker:StaleAfter", failures);
        Positive(options.LocalBreaker.Cooldown, "LocalBreaker:Cooldown", failures);
        if (options.LocalBreaker.ConsecutiveFailures < 1)
        {
            failures.Add($"{S}:LocalBreaker:ConsecutiveFailures must be at least 1.");
        }

        if (options.MaxResponseBodyBytes < 1024)
        {
            failures.Add($"{S}:MaxResponseBodyBytes must be at least 1024.");
        }

        if (options.DefaultMaxTokens < 1)
        {
            failures.Add($"{S}:DefaultMaxTokens must be at least 1.");
        }

        if (options.MaxRequestBodyBytes < 1024)
        {
            failures.Add($"{S}:MaxRequestBodyBytes must be at least 1024.");
        }

        for (var i = 0; i < options.ClientKeys.Count; i++)
        {
            var hash = options.ClientKeys[i];
            if (hash.Length != 64 || !hash.All(Uri.IsHexDigit))
            {
                failures.Add($"{S}:ClientKeys:{i.ToString(CultureInfo.InvariantCulture)} must be the 64-hex-digit SHA-256 of a key, not the key itself.");
            }
        }

        var known = options.ClientKeys.Select(h => h.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        foreach (var (hash, requestClass) in options.ClientKeyClasses)
        {
            if (!known.Contains(hash.ToLowerInvariant()))
            {
                failures.Add($"{S}:ClientKeyClasses: '{hash}' is not one of ClientKeys (name keys by the SHA-256 listed there).");
            }

            if (!RequestClassRules.IsValidName(requestClass))
            {
                failures.Add($"{S}:ClientKeyClasses:{hash}: class '{requestClass}' must be 1–{RequestClassRules.MaxNameLength} lower-case letters, digits or '-'.");
            }
        }

        if (options.Degradation.MaxHeldRequests < 0)
        {
            failures.Add($"{S}:Degradation:MaxHeldRequests must be 0 (hold nothing) or more (got {options.Degradation.MaxHeldRequests}).");
        }

        failures.AddRange(options.ResponseCache.Problems($"{S}:ResponseCache"));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(TimeSpan value, string name, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{GatewayOptions.SectionName}:{name} must be positive (got {value}).");
        }
    }
}
