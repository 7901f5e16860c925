using ControlPlane.Service.Alerts;
using ControlPlane.Service.Api;
using ControlPlane.Service.Api.Auth;
using ControlPlane.Service.Breakers;
using ControlPlane.Service.Catalog;
using ControlPlane.Service.Health;
using ControlPlane.Service.Hosting;
using ControlPlane.Service.Probing;
using ControlPlane.Service.Probing.Scheduling;
using ControlPlane.Service.Publishing;
using ControlPlane.Service.Storage;

// `ControlPlane.Service migrate` applies the SQL migrations and exits (the Helm hook Job runs this).
if (args.Length > 0 && args[0] == "migrate")
{
    return await MigrateCommand.RunAsync(args[1..]);
}

// `ControlPlane.Service keygen DIR` writes a routing-table signing key pair.
if (args.Length > 0 && args[0] == "keygen")
{
    return await KeygenCommand.RunAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAdminAuth();
builder.AddCatalog();
builder.AddStorage();
builder.AddProbeScheduling();
builder.Services.AddProbeClients();
builder.AddHealthViews();
builder.AddBreakers();
builder.AddPublishing();
builder.AddAlerts();

var app = builder.Build();
if (!app.ValidateConfiguration())
{
    return 1;
}

app.MapServiceDefaults();
app.MapHealthApi();
app.MapOperationsApi();
app.MapDistributionApi();
app.MapAlertsApi();

await app.RunAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the integration tests.</summary>
public partial class Program;
