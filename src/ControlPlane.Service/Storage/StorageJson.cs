using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlPlane.Service.Storage;

/// <summary>How every feature writes JSON into jsonb columns (breaker state, evidence, audit details): one setting, one shape.</summary>
public static class StorageJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
