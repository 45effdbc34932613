using CallCenter.Telephony.Tests.Calls;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Sip;

/// <summary>INVITE server transaction behaviour on the wire (RFC 3261 §13.3.1.4, §17.2.1).</summary>
[Collection(SoftswitchGroup.Name)]
public sealed class TransactionTests(SoftswitchFixture fx)
{
    private static string Invite(int localPort, string callId, string branch)
    {
        var sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n";
        return $"INVITE sip:{SoftswitchFixture.RepairsNumber}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{localPort};branch={branch}\r\n"
            + $"From: <sip:13755550000@127.0.0.1>;tag=t1\r\nTo: <sip:{SoftswitchFixture.RepairsNumber}@127.0.0.1>\r\nCall-ID: {callId}\r\nCSeq: 1 INVITE\r\n"
            + $"Content-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}";
    }

    [PostgresFact]
    public async Task The200IsRetransmittedUntilTheAckAndARetransmittedInviteMakesNoSecondCall()
    {
        using var client = new UdpSipClient(fx.SipPort);
        var callId = Guid.NewGuid().ToString("N") + "@tx";
        var branch = "z9hG4bK" + Guid.NewGuid().ToString("N");
        client.Send(Invite(client.LocalPort, callId, branch));
        var first = await client.FinalResponseAsync(TimeSpan.FromSeconds(10));
        first!.StatusCode.ShouldBe(200);

        // No ACK yet: the same 200 comes again (T1, 2×T1 ...).
        var again = await client.FinalResponseAsync(TimeSpan.FromSeconds(5));
        again.ShouldNotBeNull();
        again.StatusCode.ShouldBe(200);
        again.Get("To").ShouldBe(first.Get("To"));

        // A retransmitted INVITE is answered from the transaction, not treated as a new call.
        client.Send(Invite(client.LocalPort, callId, branch));
        (await client.FinalResponseAsync(TimeSpan.FromSeconds(5)))!.StatusCode.ShouldBe(200);
        (await fx.QuerySingleAsync<long>("SELECT count(*) FROM calls WHERE sip_call_id = @callId", new { callId })).ShouldBe(1);

        client.Send($"ACK sip:{SoftswitchFixture.RepairsNumber}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{client.LocalPort};branch=z9hG4bKack{Guid.NewGuid():N}\r\n"
            + $"From: <sip:13755550000@127.0.0.1>;tag=t1\r\nTo: {first.Get("To")}\r\nCall-ID: {callId}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
        await Task.Delay(300); // let a 200 already in flight arrive before listening
        while (await client.ReceiveAsync(TimeSpan.FromMilliseconds(100)) is not null)
        {
        }

        (await client.FinalResponseAsync(TimeSpan.FromSeconds(3))).ShouldBeNull("the ACK stops the retransmissions");
        client.Send($"BYE sip:{SoftswitchFixture.RepairsNumber}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{client.LocalPort};branch=z9hG4bKbye{Guid.NewGuid():N}\r\n"
            + $"From: <sip:13755550000@127.0.0.1>;tag=t1\r\nTo: {first.Get("To")}\r\nCall-ID: {callId}\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");
        (await client.FinalResponseAsync(TimeSpan.FromSeconds(5)))!.StatusCode.ShouldBe(200);
        (await fx.WaitForEndedCallAsync(callId)).EndedBy.ShouldBe("caller");
    }
}
