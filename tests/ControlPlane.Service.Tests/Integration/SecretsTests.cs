using System.Text;
using ControlPlane.Testing;
using Npgsql;

namespace ControlPlane.Service.Tests.Integration;

/// <summary>
/// Provider keys reach the providers and nothing else: not the service's output, not /metrics, not the API, not any
/// column of any table in Postgres — after every kind of failure (including auth failures) has been probed.
/// </summary>
[Collection(ProbingServiceCollection.Name)]
public sealed class SecretsTests(ProbingServiceFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task ProviderKeys_NeverLeave_TheProbes()
    {
        await Eventually.UntilAsync(
            async () => await CountTargetsWithSamplesAsync() == ProbingServiceFixture.TargetIds.Count(),
            Deadline,
            "every target, failing or not, has stored samples");
        await Eventually.UntilAsync(
            async () => (await GetAsync("api/rollups?target=" + Uri.EscapeDataString(ProbingServiceFixture.TargetIds.First()))).Length > 2,
            Deadline,
            "rollups are computed");

        var texts = new Dictionary<string, string>
        {
            ["service output"] = fixture.Service.Output,
            ["/metrics"] = await GetAsync("metrics"),
            ["/api/targets"] = await GetAsync("api/targets"),
            ["/api/breakers"] = await GetAsync("api/breakers"),
            ["/api/transitions"] = await GetAsync("api/transitions"),
            ["/api/routing-tables"] = await GetAsync("api/routing-tables"),
            ["/openapi/v1.json"] = await GetAsync("openapi/v1.json"),
        };
        foreach (var target in ProbingServiceFixture.TargetIds)
        {
            texts[$"/api/samples {target}"] = await GetAsync("api/samples?target=" + Uri.EscapeDataString(target));
            texts[$"/api/rollups {target}"] = await GetAsync("api/rollups?target=" + Uri.EscapeDataString(target));
        }

        foreach (var (table, rows) in await DumpDatabaseAsync())
        {
            texts[$"table {table}"] = rows;
        }

        Assert.Contains("table probe_samples", texts.Keys);
        var leaks = (
            from text in texts
            from key in fixture.Keys
            where Leaks(text.Value, key)
            select text.Key).Distinct().ToList();
        Assert.True(leaks.Count == 0, $"provider keys found in: {string.Join(", ", leaks)}");
    }

    // The whole key, its random part (a masked echo such as "sk-it-1a2b…"), and its hex (how Postgres prints bytea).
    private static bool Leaks(string text, string key)
    {
        var secret = key["sk-it-".Length..];
        return text.Contains(secret[..16], StringComparison.OrdinalIgnoreCase)
            || text.Contains(secret[^16..], StringComparison.OrdinalIgnoreCase)
            || text.Contains(Convert.ToHexString(Encoding.UTF8.GetBytes(secret[..16])), StringComparison.OrdinalIgnoreCase);
    }

    private async Task<int> CountTargetsWithSamplesAsync()
    {
        await using var command = fixture.Database.CreateCommand("SELECT count(DISTINCT target_id) FROM probe_samples");
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<string> GetAsync(string relative)
    {
        using var response = await fixture.Http.GetAsync(fixture.Url(relative));
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Every row of every table of ours (and Quartz's) as text.</summary>
    private async Task<Dictionary<string, string>> DumpDatabaseAsync()
    {
        var tables = new List<string>();
        await using (var list = fixture.Database.CreateCommand(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dump = new Dictionary<string, string>();
        foreach (var table in tables)
        {
            var text = new StringBuilder();
            await using var select = fixture.Database.CreateCommand($"SELECT t::text FROM {table} t");
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.AppendLine(reader.GetString(0));
            }

            dump[table.Replace("public.", "", StringComparison.Ordinal)] = text.ToString();
        }

        return dump;
    }
}
