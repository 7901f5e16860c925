using ControlPlane.Gateway.Api;
using ControlPlane.Gateway.Auth;
using ControlPlane.Gateway.Degradation;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Limits;
using ControlPlane.Gateway.Traffic;
using ControlPlane.Gateway.Upstreams;

var builder = WebApplication.CreateBuilder(args);

builder.AddGatewayDefaults();
builder.AddRoutingTable();
builder.AddUpstreams();
builder.AddDegradation();
builder.AddForwarding();
builder.AddConcurrencyLimits();
builder.AddTrafficReports();
builder.AddClientAuth();

var app = builder.Build();

app.MapGatewayDefaults();
app.UseClientAuth();
app.MapOpenAiApi();
app.MapAnthropicApi();

await app.RunAsync();

/// <summary>Visible to WebApplicationFactory in tests.</summary>
public partial class Program;
