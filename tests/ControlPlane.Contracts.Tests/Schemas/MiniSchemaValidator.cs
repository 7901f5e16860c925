using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ControlPlane.Contracts.Tests.Schemas;

/// <summary>
/// The subset of JSON Schema 2020-12 our schemas use: type, required, properties, additionalProperties,
/// propertyNames, items, enum, const, oneOf, minimum, maximum, minLength, pattern, and $ref to "#/$defs/…" or a sibling file.
/// Unknown keywords fail loudly so a schema never silently outgrows the checker.
/// </summary>
internal sealed class MiniSchemaValidator(string schemaDirectory)
{
    private static readonly HashSet<string> Known =
    [
        "$schema", "$id", "$defs", "title", "description", "format", "type", "required", "properties", "additionalProperties",
        "propertyNames", "items", "enum", "const", "oneOf", "minimum", "maximum", "minLength", "pattern", "$ref",
    ];

    private readonly Dictionary<string, JsonObject> _documents = [];

    public IReadOnlyList<string> Validate(string schemaFile, JsonNode? instance)
    {
        var errors = new List<string>();
        var root = Load(schemaFile);
        Check(root, root, instance, "$", errors);
        return errors;
    }

    private JsonObject Load(string file)
    {
        if (!_documents.TryGetValue(file, out var doc))
        {
            doc = JsonNode.Parse(File.ReadAllText(Path.Combine(schemaDirectory, file)))!.AsObject();
            _documents[file] = doc;
        }

        return doc;
    }

    private void Check(JsonObject document, JsonObject schema, JsonNode? value, string path, List<string> errors)
    {
        foreach (var keyword in schema.Select(kv => kv.Key).Where(k => !Known.Contains(k)))
        {
            throw new NotSupportedException($"Schema keyword '{keyword}' is not supported by the test validator.");
        }

        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            var (file, pointer) = reference.Split('#') switch
            {
                [var f] => (f, ""),
                [var f, var p] => (f, p),
                _ => throw new NotSupportedException(reference),
            };
            var target = file.Length == 0 ? document : Load(file);
            var resolved = target;
            foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                resolved = resolved[segment]!.AsObject();
            }

            Check(target, resolved, value, path, errors);
        }

        if (schema["type"] is { } type)
        {
            var allowed = type is JsonArray array ? array.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            if (!allowed.Any(t => HasType(value, t)))
            {
                errors.Add($"{path}: expected {string.Join("|", allowed)}, found {Kind(value)}");
                return;
            }
        }

        if (schema["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, value)))
        {
            errors.Add($"{path}: {value?.ToJsonString()} is not one of {options.ToJsonString()}");
        }

        if (schema["const"] is { } constant && !JsonNode.DeepEquals(constant, value))
        {
            errors.Add($"{path}: expected {constant.ToJsonString()}");
        }

        if (schema["oneOf"] is JsonArray alternatives)
        {
            var matches = alternatives.Count(a =>
            {
                var inner = new List<string>();
                Check(document, a!.AsObject(), value, path, inner);
                return inner.Count == 0;
            });
            if (matches != 1)
            {
                errors.Add($"{path}: matches {matches} of oneOf, expected exactly 1");
            }
        }

        if (value is JsonValue scalar)
        {
            if (schema["minimum"] is { } minimum && scalar.GetValueKind() == JsonValueKind.Number && scalar.GetValue<double>() < minimum.GetValue<double>())
            {
                errors.Add($"{path}: below minimum {minimum}");
            }

            if (schema["maximum"] is { } maximum && scalar.GetValueKind() == JsonValueKind.Number && scalar.GetValue<double>() > maximum.GetValue<double>())
            {
                errors.Add($"{path}: above maximum {maximum}");
            }

            if (scalar.GetValueKind() == JsonValueKind.String)
            {
                var text = scalar.GetValue<string>();
                if (schema["minLength"] is { } minLength && text.Length < minLength.GetValue<int>())
                {
                    errors.Add($"{path}: shorter than {minLength}");
                }

                if (schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern.GetValue<string>()))
                {
                    errors.Add($"{path}: does not match {pattern}");
                }
            }
        }

        if (value is JsonObject obj)
        {
            foreach (var required in schema["required"]?.AsArray() ?? [])
            {
                if (!obj.ContainsKey(required!.GetValue<string>()))
                {
                    errors.Add($"{path}: missing required '{required}'");
                }
            }

            var properties = schema["properties"]?.AsObject();
            foreach (var (name, child) in obj)
            {
                if (schema["propertyNames"] is JsonObject names)
                {
                    Check(document, names, JsonValue.Create(name), $"{path}.{name}(name)", errors);
                }

                if (properties?[name] is JsonObject propertySchema)
                {
                    Check(document, propertySchema, child, $"{path}.{name}", errors);
                }
                else if (schema["additionalProperties"] is JsonObject additional)
                {
                    Check(document, additional, child, $"{path}.{name}", errors);
                }
                else if (schema["additionalProperties"] is JsonValue flag && !flag.GetValue<bool>())
                {
                    errors.Add($"{path}: unexpected property '{name}'");
                }
                else if (properties is not null)
                {
                    // Additive changes are allowed on the wire, but an example should only show documented members.
                    errors.Add($"{path}: property '{name}' is not in the schema");
                }
            }
        }

        if (value is JsonArray items && schema["items"] is JsonObject itemSchema)
        {
            for (var i = 0; i < items.Count; i++)
            {
                Check(document, itemSchema, items[i], $"{path}[{i}]", errors);
            }
        }
    }

    private static bool HasType(JsonNode? value, string type) => type switch
    {
        "null" => value is null,
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => value is JsonValue v && v.GetValueKind() == JsonValueKind.String,
        "boolean" => value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "number" => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number,
        "integer" => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out _),
        _ => throw new NotSupportedException(type),
    };

    private static string Kind(JsonNode? value) => value is null ? "null" : value.GetValueKind().ToString();
}
