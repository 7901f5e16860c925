using Microsoft.Extensions.Options;
using ControlPlane.Simulator.Providers;

namespace ControlPlane.Simulator;

/// Collects every problem at once so a broken config is fixed in one round trip.
public sealed class SimulatorOptionsValidator : IValidateOptions<SimulatorOptions>
{
    public ValidateOptionsResult Validate(string? name, SimulatorOptions options)
    {
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> Collect(SimulatorOptions options)
    {
        var failures = new List<string>();
        if (options.ControlPort is < 0 or > 65535)
        {
            failures.Add($"Simulator:ControlPort {options.ControlPort} is not a valid port (0 picks a free one).");
        }

        if (options.Providers.Count == 0)
        {
            failures.Add("Simulator:Providers is empty; configure at least one simulated provider.");
        }

        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var seenPorts = new HashSet<int>();
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var p = options.Providers[i];
            var at = $"Simulator:Providers:{i}";
            if (string.IsNullOrWhiteSpace(p.Id))
            {
                failures.Add($"{at}:Id is required.");
            }
            else if (!seenIds.Add(p.Id))
            {
                failures.Add($"{at}:Id '{p.Id}' is used by more than one provider.");
            }

            if (!ProviderKinds.TryParse(p.Kind, out _))
            {
                failures.Add($"{at}:Kind '{p.Kind}' is not one of {string.Join(", ", ProviderKinds.Names)}.");
            }

            if (p.Port is < 0 or > 65535)
            {
                failures.Add($"{at}:Port {p.Port} is not a valid port (0 picks a free one).");
            }
            else if (p.Port != 0 && (p.Port == options.ControlPort || !seenPorts.Add(p.Port)))
            {
                failures.Add($"{at}:Port {p.Port} is already used by another listener.");
            }

            if (p.Models.Count == 0 || p.Models.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{at}:Models must list at least one non-empty model id.");
            }

            foreach (var (model, window) in p.ContextWindows)
            {
                if (window <= 0)
                {
                    failures.Add($"{at}:ContextWindows:{model} must be a positive number of tokens (was {window}).");
                }
            }

            if (p.ApiKey is { Length: 0 })
            {
                failures.Add($"{at}:ApiKey is empty; omit it (null) to disable the auth check.");
            }
        }

        return failures;
    }
}
