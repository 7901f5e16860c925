using System.Reflection;
using System.Reflection.Emit;
using ControlPlane.Service.Storage;

namespace ControlPlane.Service.Tests.Architecture;

/// <summary>
/// Reads which types of the Service assembly each of its types uses: signatures, base types, generic arguments,
/// and every type, method and field its IL names (lambdas and async state machines included, as nested types).
/// </summary>
internal static class ServiceAssembly
{
    public static Assembly Assembly { get; } = typeof(StorageOptions).Assembly;

    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    public static IEnumerable<Type> Types => Assembly.GetTypes();

    /// <summary>The feature a type belongs to: the namespace segment after <c>ControlPlane.Service</c>; null for the root.</summary>
    public static string? FeatureOf(Type type)
    {
        var outer = type;
        while (outer.DeclaringType is not null)
        {
            outer = outer.DeclaringType;
        }

        var parts = (outer.Namespace ?? "").Split('.');
        return parts.Length > 2 && parts[0] == "ControlPlane" && parts[1] == "Service" ? parts[2] : null;
    }

    public static IEnumerable<Type> Uses(Type type)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

        var used = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || !used.Add(t))
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
            }

            if (t.IsGenericType)
            {
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        foreach (var contract in type.GetInterfaces())
        {
            Add(contract);
        }

        foreach (var field in type.GetFields(All))
        {
            Add(field.FieldType);
        }

        foreach (var property in type.GetProperties(All))
        {
            Add(property.PropertyType);
        }

        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }

            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }

            foreach (var member in MembersNamedInIl(method))
            {
                Add(member as Type ?? member.DeclaringType);
                if (member is FieldInfo field)
                {
                    Add(field.FieldType);
                }
            }
        }

        return used;
    }

    private static IEnumerable<MemberInfo> MembersNamedInIl(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            short value = il[at++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[at++]);
            }

            var operand = OperandTypes[value];
            switch (operand)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, at);
                    MemberInfo? member;
                    try
                    {
                        member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                        member = null;
                    }

                    if (member is not null)
                    {
                        yield return member;
                    }

                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                default:
                    at += 4;
                    break;
            }
        }
    }
}
