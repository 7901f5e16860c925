using ControlPlane.Gateway.Caching;

namespace ControlPlane.Gateway.Tests.Caching;

public sealed class AnswerCaptureTests
{
    [Fact]
    public async Task Writes_ReachTheClientAndTheCopy_Alike()
    {
        using var client = new MemoryStream();
        await using var capture = new AnswerCapture(client, limit: 1024);

        await capture.WriteAsync("data: {\"a\":1}\n\n"u8.ToArray());
        capture.Write("data: [DONE]\n\n"u8);
        await capture.FlushAsync();

        Assert.Equal("data: {\"a\":1}\n\ndata: [DONE]\n\n"u8.ToArray(), client.ToArray());
        Assert.Equal(client.ToArray(), capture.Captured.ToArray());
        Assert.False(capture.Overflowed);
    }

    [Fact]
    public async Task PastTheLimit_TheClientGetsEverythingAndTheCopyIsDropped()
    {
        using var client = new MemoryStream();
        await using var capture = new AnswerCapture(client, limit: 10);

        await capture.WriteAsync(new byte[8]);
        await capture.WriteAsync(new byte[8]);
        await capture.WriteAsync(new byte[1]);

        Assert.Equal(17, client.Length);
        Assert.True(capture.Overflowed);
        Assert.True(capture.Captured.IsEmpty);
    }
}
