using ControlPlane.Gateway.Forwarding;

namespace ControlPlane.Gateway.Tests.Forwarding;

// Which outcome an answer has is ErrorClassifierTests' table; this is only what the forwarder does with it.
public sealed class AttemptClassifierTests
{
    [Theory]
    [InlineData(200, "", "success", nameof(Disposition.Relay))]
    [InlineData(529, """{"type":"error","error":{"type":"overloaded_error"}}""", "overloaded", nameof(Disposition.NextTarget))]
    [InlineData(503, """{"error":{"type":"server_error"}}""", "server_error", nameof(Disposition.NextTarget))]
    [InlineData(429, """{"error":{"code":"rate_limit_exceeded"}}""", "rate_limited", nameof(Disposition.NextTarget))]
    [InlineData(429, """{"error":{"type":"insufficient_quota"}}""", "quota_exceeded", nameof(Disposition.NextTarget))]
    [InlineData(402, "", "quota_exceeded", nameof(Disposition.NextTarget))]
    [InlineData(401, "", "auth_failure", nameof(Disposition.NextTarget))]
    [InlineData(408, "", "timeout", nameof(Disposition.NextTarget))]
    [InlineData(400, "", "bad_request", nameof(Disposition.ReturnToClient))]
    [InlineData(404, "", "bad_request", nameof(Disposition.ReturnToClient))]
    [InlineData(413, "", "bad_request", nameof(Disposition.ReturnToClient))]
    [InlineData(422, "", "bad_request", nameof(Disposition.ReturnToClient))]
    public void Classify_Status_DecidesWhatTheForwarderDoes(int status, string body, string outcome, string disposition)
    {
        var result = AttemptClassifier.Classify(status, System.Text.Encoding.UTF8.GetBytes(body));

        Assert.Equal((outcome, disposition), (result.Outcome, result.Disposition.ToString()));
    }
}
