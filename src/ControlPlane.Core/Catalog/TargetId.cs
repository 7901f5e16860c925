namespace ControlPlane.Core.Catalog;

/// <summary>
/// Identifies a target (provider × model, optionally × region or key). Defaults to "{provider}/{model}".
/// </summary>
public readonly record struct TargetId(string Value) : IComparable<TargetId>
{
    public static TargetId For(string providerId, string model) => new($"{providerId}/{model}");

    public int CompareTo(TargetId other) => string.CompareOrdinal(Value, other.Value);

    public static bool operator <(TargetId left, TargetId right) => left.CompareTo(right) < 0;

    public static bool operator <=(TargetId left, TargetId right) => left.CompareTo(right) <= 0;

    public static bool operator >(TargetId left, TargetId right) => left.CompareTo(right) > 0;

    public static bool operator >=(TargetId left, TargetId right) => left.CompareTo(right) >= 0;

    public override string ToString() => Value;
}
