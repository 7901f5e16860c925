using Refit;

namespace ControlPlane.Client;

/// <summary>The control plane's snapshot endpoint.</summary>
public interface IControlPlaneSnapshotApi
{
    /// <summary>
    /// <c>GET /api/routing-table</c>: 200 with the current signed <c>RoutingTableChanged</c> JSON, or 404 ProblemDetails
    /// when no table exists yet. Returned raw: the signature covers the bytes as served, so they are verified as is.
    /// </summary>
    [Get("/api/routing-table")]
    [Headers("Accept: application/json")]
    Task<HttpResponseMessage> GetRoutingTableAsync(CancellationToken cancellationToken);
}
