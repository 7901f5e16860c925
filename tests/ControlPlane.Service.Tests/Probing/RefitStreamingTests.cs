using System.Net;
using System.Net.Sockets;
using System.Text;
using ControlPlane.Service.Probing.Clients;
using Refit;

namespace ControlPlane.Service.Tests.Probing;

/// <summary>The probe measures time to first token only if Refit hands back the response at the headers.</summary>
public sealed class RefitStreamingTests
{
    [Fact]
    public async Task StreamingCall_ReturnsAtHeaders_BeforeTheBodyEnds()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var callReturned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var request = new StringBuilder();
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                request.Append(Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer)));
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
                Chunk("data: {\"choices\":[{\"delta\":{\"content\":\"po\"}}]}\n\n")));
            await stream.FlushAsync();

            // The rest of the stream only once the client has its response object in hand.
            await callReturned.Task;
            await stream.WriteAsync(Encoding.ASCII.GetBytes(Chunk("data: [DONE]\n\n") + "0\r\n\r\n"));
        });

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var api = RestService.For<IOpenAIApi>(http);
        var call = api.CreateChatCompletionAsync(
            new OpenAIChatRequest { Model = "m", Messages = [new OpenAIMessage("user", "ping")], Stream = true },
            new Dictionary<string, string>(),
            CancellationToken.None);

        // Guard against a buffering Refit deadlocking the test instead of failing it.
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(30));
        callReturned.SetResult();
        var body = await response.Content.ReadAsStringAsync();
        await server;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("[DONE]", body, StringComparison.Ordinal);
    }

    private static string Chunk(string data) => $"{Encoding.UTF8.GetByteCount(data):X}\r\n{data}\r\n";
}
