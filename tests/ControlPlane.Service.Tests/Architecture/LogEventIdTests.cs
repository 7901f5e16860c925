using System.Reflection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Service.Tests.Architecture;

public sealed class LogEventIdTests
{
    [Fact]
    public void LoggerMessages_HaveUniqueEventIds()
    {
        var messages = ServiceAssembly.Types
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        var duplicates = messages
            .GroupBy(m => m.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .ToList();

        Assert.NotEmpty(messages);
        Assert.True(duplicates.Count == 0, "EventIds used twice: " + string.Join("; ", duplicates));
    }

    [Fact]
    public void LoggerMessages_LiveInOneLogClassPerFeature()
    {
        var elsewhere = ServiceAssembly.Types
            .Where(t => t.Name != "Log" && t.GetMethods(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Any(m => m.GetCustomAttribute<LoggerMessageAttribute>() is not null))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(elsewhere);
    }
}
