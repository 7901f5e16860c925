using ControlPlane.Simulator.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddSimulator();
await builder.Build().RunAsync();
