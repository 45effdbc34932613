using CallCenter.Telephony.Media;
using CallCenter.Telephony.Tests.Media;
using CallCenter.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CallCenter.Telephony.Tests.Calls;

/// <summary>Whole calls with sipp over loopback against the real softswitch and PostgreSQL.</summary>
[Collection(SoftswitchGroup.Name)]
public sealed class InboundCallTests(SoftswitchFixture fx)
{
    private static string NewCallId() => Guid.NewGuid().ToString("N") + "@test";

    [PostgresFact]
    public async Task ACallWithPcapAudioIsAnsweredOnItsLineAndRecordedSampleForSample()
    {
        var callId = NewCallId();
        var pcap = Sipp.Pcap("g711a.pcap");
        var xml = Sipp.Scenario("pcap-call.xml").Replace("@PCAP@", pcap, StringComparison.Ordinal).Replace("@PAUSE@", "10000", StringComparison.Ordinal);

        var (exit, output) = await Sipp.RunAsync(fx.SipPort, xml, "13700137003", SoftswitchFixture.RepairsNumber, callId);

        exit.ShouldBe(0, output);
        var call = await fx.WaitForEndedCallAsync(callId);
        call.CallerNumber.ShouldBe("13700137003");
        call.DialedNumber.ShouldBe(SoftswitchFixture.RepairsNumber);
        call.ServiceLineId.ShouldBe(await fx.QuerySingleAsync<int>("SELECT id FROM service_lines WHERE code = 'repairs'"));
        call.Answered.ShouldBeTrue();
        call.Queued.ShouldBeTrue("the 7.2 s welcome prompt ends well before the caller hangs up after 10 s");
        call.EndedBy.ShouldBe("caller");
        call.Disposition.ShouldBe("abandoned"); // no agent yet: a caller leaving the queue abandoned it

        var (path, complete, leg) = await fx.QuerySingleAsync<(string, bool, string)>(
            "SELECT path, complete, leg_role FROM recordings WHERE call_id = @Id", new { call.Id });
        complete.ShouldBeTrue();
        leg.ShouldBe("customer");
        var (role, codec, legEnded) = await fx.QuerySingleAsync<(string, string, bool)>(
            "SELECT role, codec, ended_at IS NOT NULL FROM call_legs WHERE call_id = @Id", new { call.Id });
        (role, codec, legEnded).ShouldBe(("customer", "PCMA", true));
        var recorded = WavReader.ReadMono8k(path);

        // Expected: each packet's A-law payload decoded at its RTP timestamp offset.
        var packets = PcapReader.ReadRtp(pcap);
        var first = packets[0].Timestamp;
        var expected = new short[packets.Max(p => p.Timestamp - first + p.Payload.Length)];
        foreach (var p in packets)
        {
            for (var i = 0; i < p.Payload.Length; i++)
            {
                expected[p.Timestamp - first + i] = G711.DecodeAlaw(p.Payload[i]);
            }
        }

        recorded.Length.ShouldBe(expected.Length);
        recorded.SequenceEqual(expected).ShouldBeTrue("recording must equal the sent audio after G.711 decoding");
    }

    [PostgresFact]
    public async Task ACancelWhileRingingGets487AndTheCallIsRecordedAsAbandoned()
    {
        var callId = NewCallId();
        var ports = fx.Services.GetRequiredService<RtpPortPool>();
        var freeBefore = ports.Available;

        var (exit, output) = await Sipp.RunAsync(fx.SipPort, Sipp.Scenario("cancel.xml"), "13700000011", SoftswitchFixture.RepairsNumber, callId);

        exit.ShouldBe(0, output);
        var call = await fx.WaitForEndedCallAsync(callId);
        call.Disposition.ShouldBe("abandoned");
        call.EndedBy.ShouldBe("caller");
        call.Answered.ShouldBeFalse();
        // Leak check: the ports taken while it rang are back (other tests' calls may have ended meanwhile).
        for (var i = 0; i < 50 && ports.Available < freeBefore; i++)
        {
            await Task.Delay(100);
        }

        ports.Available.ShouldBeGreaterThanOrEqualTo(freeBefore);
    }

    [PostgresFact]
    public async Task WhenTheCallerSendsNoRtpTheSoftswitchHangsUpWithItsOwnBye()
    {
        var callId = NewCallId();

        var (exit, output) = await Sipp.RunAsync(fx.SipPort, Sipp.Scenario("server-bye.xml"), "13700000012", SoftswitchFixture.RepairsNumber, callId);

        exit.ShouldBe(0, output);
        var call = await fx.WaitForEndedCallAsync(callId);
        call.EndedBy.ShouldBe("system");
        call.EndReason.ShouldBe("RTP inactivity timeout");
    }

    [PostgresFact]
    public async Task ALineCalledOutsideItsOwnHoursPlaysTheClosedPromptHangsUpAndIsRecordedAsClosed()
    {
        var lineId = await fx.QuerySingleAsync<int>(
            "INSERT INTO service_lines (code, name_zh, name_en) VALUES ('closed' || substr(md5(random()::text), 1, 6), '夜间测试', 'Hours test') RETURNING id");
        await fx.ExecuteAsync("INSERT INTO toll_free_numbers (number, service_line_id) VALUES ('8008106000', @lineId)", new { lineId });
        // Every weekday open for one hour that is not now in Shanghai: before noon 13:00–14:00, after it 01:00–02:00.
        var hour = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, CallCenter.Telephony.Routing.LineHours.Zone("Asia/Shanghai")).Hour < 12 ? 13 : 1;
        await fx.ExecuteAsync(
            "INSERT INTO business_hours (service_line_id, weekday, opens, closes) SELECT @lineId, d, make_time(@hour, 0, 0), make_time(@hour + 1, 0, 0) FROM generate_series(0, 6) d",
            new { lineId, hour });
        var hours = fx.Services.GetRequiredService<CallCenter.Telephony.Routing.LineHours>();
        (await hours.IsOpenAsync(lineId, CancellationToken.None)).ShouldBeFalse();

        // The caller speaks (as a real one would) and waits for our BYE after the 9 s prompt.
        var callId = NewCallId();
        var xml = Sipp.Scenario("bridged-pcap-call.xml").Replace("@PCAP@", Sipp.Pcap("g711a.pcap"), StringComparison.Ordinal)
            .Replace("@WAIT@", "0", StringComparison.Ordinal);
        var (exit, output) = await Sipp.RunAsync(fx.SipPort, xml, "13700000015", "8008106000", callId);

        exit.ShouldBe(0, output);
        var call = await fx.WaitForEndedCallAsync(callId);
        (call.Disposition, call.EndedBy, call.Answered, call.Queued).ShouldBe(("closed", "system", true, false));
        call.EndReason.ShouldBe("outside the line's business hours");
        (await fx.QuerySingleAsync<bool>("SELECT complete FROM recordings WHERE call_id = @Id", new { call.Id })).ShouldBeTrue();

        // The same line with today's hours around now is open again, read at the next call (no restart, no cache).
        // Today must not be one of the reference data's public holidays for that, so the test takes its row out.
        await fx.ExecuteAsync("DELETE FROM calendar_days WHERE day = (now() AT TIME ZONE 'Asia/Shanghai')::date");
        await fx.ExecuteAsync("UPDATE business_hours SET opens = '00:00', closes = '23:59' WHERE service_line_id = @lineId", new { lineId });
        (await hours.IsOpenAsync(lineId, CancellationToken.None)).ShouldBeTrue();
        (await hours.IsOpenAsync(await fx.QuerySingleAsync<int>("SELECT id FROM service_lines WHERE code = 'repairs'"), CancellationToken.None))
            .ShouldBeTrue("a line without hours of its own never closes");
    }

    [PostgresFact]
    public async Task AnUnknownTollFreeNumberGets404AndACallRow()
    {
        var callId = NewCallId();
        var xml = Sipp.Scenario("expect-final.xml").Replace("@STATUS@", "404", StringComparison.Ordinal);

        var (exit, output) = await Sipp.RunAsync(fx.SipPort, xml, "13700000013", "8009999999", callId);

        exit.ShouldBe(0, output);
        var call = await fx.WaitForEndedCallAsync(callId);
        call.Disposition.ShouldBe("not_found");
        call.ServiceLineId.ShouldBeNull();
    }

    [PostgresFact]
    public async Task ACallOverTcpIsAnsweredAndEndsWithTheCallersBye()
    {
        var callId = NewCallId();

        var (exit, output) = await Sipp.RunAsync(fx.SipPort, Sipp.Scenario("short-call.xml"), "13700000014", SoftswitchFixture.RepairsNumber, callId, transport: "t1");

        exit.ShouldBe(0, output);
        var call = await fx.WaitForEndedCallAsync(callId);
        call.Answered.ShouldBeTrue();
        call.EndedBy.ShouldBe("caller");
    }
}
