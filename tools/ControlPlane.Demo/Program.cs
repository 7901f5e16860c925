using ControlPlane.Demo;

// A live failover on this machine: simulated providers, the real control plane on Postgres and RabbitMQ, and a data
// plane sending steady traffic. scripts/demo.sh starts Postgres and RabbitMQ and runs this.
var options = DemoOptions.Parse(args);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await new DemoRun(options).RunAsync(cancel.Token);
