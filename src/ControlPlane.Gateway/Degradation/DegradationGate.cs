using System.Globalization;
using ControlPlane.Client;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Translation;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Degradation;

/// <summary>
/// What the route's degradation profile lets a request do: go on to planning (among some tiers only), or stop here
/// with an error. <see cref="Class"/> is null for a route without a profile.
/// </summary>
internal sealed record Admission(string? Route, string? Class, IReadOnlyList<int>? Tiers, ApiFault? Refusal, bool Held)
{
    public static readonly Admission Unrestricted = new(null, null, null, null, false);

    /// <summary>The route's degradation state when the request was admitted; null without a profile.</summary>
    public string? State { get; init; }

    /// <summary>
    /// For a request that was held: what is left of its hold deadline, during which it may also wait for a free slot
    /// when every target it may use is at its concurrency limit (a recovering primary meets the whole held queue at
    /// once). Zero otherwise.
    /// </summary>
    public TimeSpan SlotWait { get; init; }

    /// <summary>Whether a target of tier <paramref name="tier"/> may serve the request.</summary>
    public bool Allows(int tier) => Tiers is null || Tiers.Contains(tier);
}

/// <summary>
/// Carries out the table's per-route degradation profile before planning: a class to be served goes on (to the
/// class's tiers only); a class to be shed gets its error with <c>Retry-After</c> at once; a class to be held waits —
/// in a bounded queue — for a table in which it is served, up to the route's hold deadline. The decision itself is the
/// control plane's (<see cref="RequestClassRules"/>); this stage only obeys it, so every gateway behaves alike.
/// </summary>
internal sealed class DegradationGate
{
    private readonly IRoutingTableSource _tables;
    private readonly IRouteSelector _routes;
    private readonly TimeProvider _time;
    private readonly int _maxHeld;
    private TaskCompletionSource _tableChanged = NewSignal();
    private int _held;

    public DegradationGate(IRoutingTableSource tables, IRouteSelector routes, IOptions<GatewayOptions> options, TimeProvider time)
    {
        _tables = tables;
        _routes = routes;
        _time = time;
        _maxHeld = options.Value.Degradation.MaxHeldRequests;
        // One signal for every held request: each new table wakes them all to look at it.
        tables.TableChanged += (_, _) => Interlocked.Exchange(ref _tableChanged, NewSignal()).TrySetResult();
    }

    /// <summary>Requests held right now.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <param name="model">The model the client asked for (a route or an alias).</param>
    /// <param name="requested">The class the request or its key named; null: the route's default.</param>
    /// <param name="budget">The longest a hold may last (what is left of the request's attempt budget).</param>
    public async Task<Admission> AdmitAsync(string model, string? requested, TimeSpan budget, CancellationToken cancellationToken)
    {
        // No table or no such route: planning answers that, in its own words.
        if (Find(model) is not { Degradation: { } profile } route)
        {
            return Admission.Unrestricted;
        }

        var requestClass = requested ?? profile.DefaultClass;
        var decision = Decide(route, requestClass);
        if (decision.Refusal is not null || decision.Class is null || !IsHold(route, requestClass))
        {
            DegradationMetrics.Admitted(route.Route, decision);
            return decision;
        }

        if (Interlocked.Increment(ref _held) > _maxHeld)
        {
            Interlocked.Decrement(ref _held);
            var full = Refuse(route, requestClass, 503, FaultKind.Unavailable, "hold_queue_full",
                $"Route '{route.Route}' holds '{requestClass}' requests until its primary tier returns, and this gateway's hold queue is full.");
            DegradationMetrics.Finished(route.Route, requestClass, DegradationMetrics.HoldFull);
            return full;
        }

        DegradationMetrics.HeldChanged(route.Route, +1);
        try
        {
            return await HoldAsync(model, route, requestClass, TimeSpan.FromMilliseconds(profile.HoldTimeoutMs) < budget
                ? TimeSpan.FromMilliseconds(profile.HoldTimeoutMs) : budget, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _held);
            DegradationMetrics.HeldChanged(route.Route, -1);
        }
    }

    private async Task<Admission> HoldAsync(string model, RouteEntry route, string requestClass, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var served = await UntilTableAsync(() => Find(model) is not { } current || !IsHold(current, requestClass), deadline, cancellationToken);
        var latest = Find(model) ?? route;
        if (!served)
        {
            DegradationMetrics.Finished(route.Route, requestClass, DegradationMetrics.HeldTimeout);
            return Refuse(latest, requestClass, 503, FaultKind.Unavailable, "hold_timeout",
                $"Route '{latest.Route}' held this '{requestClass}' request for {deadline.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s " +
                "waiting for its primary tier, which has not returned.");
        }

        var decision = latest.Degradation is null ? Admission.Unrestricted : Decide(latest, requestClass);
        DegradationMetrics.Finished(route.Route, requestClass, decision.Refusal is null ? DegradationMetrics.HeldServed : DegradationMetrics.Shed);
        return decision with { Held = true, SlotWait = deadline - _time.GetElapsedTime(started) };
    }

    /// <summary>
    /// Every tier of the request's class failed while its route was still normal in the table: waits (at most the
    /// route's hold deadline, within <paramref name="budget"/>) for the control plane's verdict — a newer table, or
    /// the current one no longer calling the route normal — and admits the request again under it (which may hold
    /// it). When no verdict comes in time, the request is admitted as before, to be tried and answered as usual.
    /// </summary>
    public async Task<Admission> AwaitVerdictAsync(string model, string? requested, Admission before, TimeSpan budget, CancellationToken cancellationToken)
    {
        if (Find(model) is not { Degradation: { } profile })
        {
            return before;
        }

        var deadline = TimeSpan.FromMilliseconds(profile.HoldTimeoutMs) < budget ? TimeSpan.FromMilliseconds(profile.HoldTimeoutMs) : budget;
        var started = _time.GetTimestamp();
        var version = _tables.CurrentVersion;
        if (!await UntilTableAsync(
                () => _tables.CurrentVersion != version || Find(model) is { Degradation.State: not DegradationStates.Normal }, deadline, cancellationToken))
        {
            return before;
        }

        DegradationMetrics.Finished(before.Route ?? model, before.Class ?? "", DegradationMetrics.AwaitedVerdict);
        return await AdmitAsync(model, requested, budget - _time.GetElapsedTime(started), cancellationToken);
    }

    /// <summary>Waits, re-checking on every new table, until <paramref name="done"/> holds (true) or the deadline passes (false).</summary>
    private async Task<bool> UntilTableAsync(Func<bool> done, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            // Take the signal before reading the table: a table applied in between still wakes us.
            var signal = Volatile.Read(ref _tableChanged).Task;
            if (done())
            {
                return true;
            }

            var left = deadline - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await signal.WaitAsync(left, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Loop once more: the deadline check answers.
            }
        }
    }

    private Admission Decide(RouteEntry route, string requestClass)
    {
        var profile = route.Degradation!;
        if (RequestClassRules.For(route, requestClass) is not { } entry)
        {
            var known = string.Join(", ", profile.Classes.Select(c => c.Class));
            return new Admission(route.Route, requestClass, null, ApiErrors.BadRequest(
                $"Route '{route.Route}' has no request class '{requestClass}' (classes: {known}); see the {RequestClasses.Header} header."), false);
        }

        return entry.Action switch
        {
            ClassActions.Serve or ClassActions.Hold => new Admission(route.Route, requestClass, entry.Tiers, null, false) { State = profile.State },
            _ => Refuse(route, requestClass, profile.ShedStatus, profile.ShedStatus == 429 ? FaultKind.RateLimited : FaultKind.Unavailable, "route_shedding",
                $"Route '{route.Route}' is {profile.State} and sheds '{requestClass}' requests until its primary tier returns; retry later."),
        };
    }

    private static bool IsHold(RouteEntry route, string requestClass) =>
        RequestClassRules.For(route, requestClass) is { Action: ClassActions.Hold };

    private Admission Refuse(RouteEntry route, string requestClass, int status, FaultKind kind, string code, string message) =>
        new(route.Route, requestClass, null, new ApiFault(status, kind, message, code)
        {
            RetryAfterSeconds = RequestClassRules.RetryAfterSeconds(route.Degradation!, _time.GetUtcNow()),
        }, false);

    private RouteEntry? Find(string model) => _routes.Resolve(model);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

}
