using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit;

namespace ControlPlane.Service.Tests.Integration.Breakers;

/// <summary>
/// Who may do what, and what a bad request gets back: always ProblemDetails, validation problems naming every
/// offending field. Runs with AdminApi:RequireKeyForReads so reads are locked down too.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class OverridesApiValidationTests(LockedDownFixture fixture) : IClassFixture<LockedDownFixture>
{
    private static readonly string Primary = LockedDownFixture.Main.Primary;

    private static string ValidDrain => Json(new { kind = "drain-target", target = Primary, reason = "testing auth", ttl = "00:05:00" });

    public static TheoryData<string, string, string> InvalidBodies { get; } = new()
    {
        { "unknown kind", Json(new { kind = "explode", target = Primary, reason = "r", ttl = "00:05:00" }), "kind" },
        { "missing kind", Json(new { target = Primary, reason = "r", ttl = "00:05:00" }), "kind" },
        { "unknown target", Json(new { kind = "drain-target", target = "nobody/nothing", reason = "r", ttl = "00:05:00" }), "target" },
        { "drain without target", Json(new { kind = "drain-target", reason = "r", ttl = "00:05:00" }), "target" },
        { "unknown provider", Json(new { kind = "drain-provider", provider = "nobody", reason = "r", ttl = "00:05:00" }), "provider" },
        { "missing reason", Json(new { kind = "drain-target", target = Primary, ttl = "00:05:00" }), "reason" },
        { "blank reason", Json(new { kind = "drain-target", target = Primary, reason = "   ", ttl = "00:05:00" }), "reason" },
        { "no expiry", Json(new { kind = "drain-target", target = Primary, reason = "r" }), "expiresAt" },
        { "ttl and expiresAt", Json(new { kind = "drain-target", target = Primary, reason = "r", ttl = "00:05:00", expiresAt = DateTimeOffset.UtcNow.AddHours(1) }), "expiresAt" },
        { "ttl too long", Json(new { kind = "drain-target", target = Primary, reason = "r", ttl = "31.00:00:00" }), "ttl" },
        { "negative ttl", Json(new { kind = "drain-target", target = Primary, reason = "r", ttl = "-00:05:00" }), "ttl" },
        { "expiry in the past", Json(new { kind = "drain-target", target = Primary, reason = "r", expiresAt = DateTimeOffset.UtcNow.AddHours(-1) }), "expiresAt" },
        { "pin outside the route", Json(new { kind = "pin-route", route = LockedDownFixture.Main.Id, target = LockedDownFixture.Other.Secondary, reason = "r", ttl = "00:05:00" }), "target" },
        { "pin to an unknown route", Json(new { kind = "pin-route", route = "nowhere", target = Primary, reason = "r", ttl = "00:05:00" }), "route" },
        { "maintenance without a window", Json(new { kind = "maintenance", target = Primary, reason = "r" }), "endsAt" },
        { "maintenance ending before it starts", Json(new { kind = "maintenance", target = Primary, reason = "r", startsAt = DateTimeOffset.UtcNow.AddHours(2), endsAt = DateTimeOffset.UtcNow.AddHours(1) }), "endsAt" },
    };

    [Fact]
    public async Task Post_WithoutKey_Is401ProblemWithChallenge()
    {
        using var response = await fixture.Anonymous.PostAsync(new Uri("api/overrides", UriKind.Relative), Body(ValidDrain));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        await AssertProblemAsync(response, 401);
    }

    [Fact]
    public async Task Post_WithUnknownKey_Is401()
    {
        using var response = await fixture.Unknown.PostAsync(new Uri("api/overrides", UriKind.Relative), Body(ValidDrain));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        await AssertProblemAsync(response, 401);
    }

    [Fact]
    public async Task Post_WithNonBearerAuthorization_Is401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/overrides", UriKind.Relative)) { Content = Body(ValidDrain) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("oncall:" + OverridesFixtureBase.Operator.Secret)));
        using var response = await fixture.Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertProblemAsync(response, 401);
    }

    [Fact]
    public async Task Post_WithReadOnlyKey_Is403Problem()
    {
        using var response = await fixture.ReadOnly.PostAsync(new Uri("api/overrides", UriKind.Relative), Body(ValidDrain));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertProblemAsync(response, 403);
        await AssertNoOverrideCreatedAsync();
    }

    [Fact]
    public async Task Delete_WithReadOnlyKey_Is403_AndWithoutKey_Is401()
    {
        var uri = new Uri($"api/overrides/{Guid.NewGuid()}", UriKind.Relative);
        using var readOnly = await fixture.ReadOnly.DeleteAsync(uri);
        Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
        using var anonymous = await fixture.Anonymous.DeleteAsync(uri);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Post_InvalidBody_Is400ValidationProblemNamingTheField(string why, string body, string field)
    {
        using var response = await fixture.Operate.PostAsync(new Uri("api/overrides", UriKind.Relative), Body(body));
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var problem = await AssertProblemAsync(response, 400);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"{why}: expected an error for '{field}', got {errors}");
        Assert.Contains(messages.EnumerateArray(), m => !string.IsNullOrWhiteSpace(m.GetString()));
        await AssertNoOverrideCreatedAsync();
    }

    [Fact]
    public async Task Post_MalformedJson_Is400Problem()
    {
        using var response = await fixture.Operate.PostAsync(new Uri("api/overrides", UriKind.Relative), Body("{\"kind\": \"drain-target\", "));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertProblemAsync(response, 400);
    }

    [Fact]
    public async Task Delete_UnknownOverride_Is404Problem()
    {
        using var response = await fixture.Operate.DeleteAsync(new Uri($"api/overrides/{Guid.NewGuid()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await AssertProblemAsync(response, 404);
    }

    [Fact]
    public async Task Reads_NeedAKeyWithReadScope_WhenRequireKeyForReads()
    {
        using var anonymous = await fixture.Anonymous.GetAsync(new Uri("api/breakers", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        await AssertProblemAsync(anonymous, 401);

        using var unknown = await fixture.Unknown.GetAsync(new Uri("api/routing-tables", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);

        using var viewer = await fixture.ReadOnly.GetAsync(new Uri("api/breakers", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, viewer.StatusCode);

        // operate implies read.
        using var oncall = await fixture.Operate.GetAsync(new Uri("api/audit", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, oncall.StatusCode);

        // Kubernetes probes and Prometheus do not carry keys.
        using var ready = await fixture.Anonymous.GetAsync(new Uri("readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var metrics = await fixture.Anonymous.GetAsync(new Uri("metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task Post_ValidBody_WithOperateKey_IsCreatedAndAudited()
    {
        using var response = await fixture.Operate.PostAsync(new Uri("api/overrides", UriKind.Relative), Body(
            Json(new { kind = "force-closed", target = LockedDownFixture.Other.Secondary, reason = "false positive", ttl = "00:01:00" })));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = created.RootElement.GetProperty("id").GetString();
        Assert.EndsWith($"/api/overrides/{id}", response.Headers.Location?.ToString(), StringComparison.Ordinal);

        using var audit = JsonDocument.Parse(await fixture.ReadOnly.GetStringAsync(new Uri("api/audit", UriKind.Relative)));
        var entry = Assert.Single(audit.RootElement.EnumerateArray(), a => a.GetProperty("subject").GetString() == id);
        Assert.Equal("oncall", entry.GetProperty("actor").GetString());
        Assert.Equal("override.create", entry.GetProperty("action").GetString());

        using var cancel = await fixture.Operate.DeleteAsync(new Uri($"api/overrides/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
    }

    private async Task AssertNoOverrideCreatedAsync()
    {
        using var overrides = JsonDocument.Parse(await fixture.ReadOnly.GetStringAsync(new Uri("api/overrides", UriKind.Relative)));
        Assert.DoesNotContain(overrides.RootElement.EnumerateArray(), o => o.GetProperty("reason").GetString() is "testing auth" or "r" or "   ");
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problem = document.RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Json(object value) => JsonSerializer.Serialize(value);
}
