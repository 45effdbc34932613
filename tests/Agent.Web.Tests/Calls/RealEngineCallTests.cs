using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Calls;

/// <summary>
/// Issue 6's second run: the same sipp call through the host, transcribed by the managed Whisper engine itself on
/// whisper.cpp's synthetic micro model. Its text is meaningless (random weights), so the test checks that the real
/// engine is wired in: segments of both legs arrive and are stored, and the call's transcription completes.
/// </summary>
[Collection("Browser")] // one SIP host at a time with the browser classes: they share the demo agent1
public sealed class RealEngineCallTests(RealEngineCallFixture app) : IClassFixture<RealEngineCallFixture>
{
    [PostgresFact]
    public async Task ABridgedSippCallIsTranscribedOnBothLegsByTheManagedEngine()
    {
        var work = Directory.CreateTempSubdirectory("cc-real-");
        try
        {
            var phone = await app.StartAgentPhoneAsync(work, answerMs: 500, speakMs: 6000, hangupMs: 5000);
            var sipCallId = "real-" + Guid.NewGuid().ToString("N")[..10];
            var caller = app.StartCaller(work, sipCallId, waitMs: 8500);

            var (callerExit, callerOutput) = await caller;
            callerExit.ShouldBe(0, callerOutput);
            var (phoneExit, phoneOutput) = await phone;
            phoneExit.ShouldBe(0, phoneOutput);

            (await app.EventuallyAsync("""
                SELECT count(*) FROM calls WHERE sip_call_id = $1 AND disposition = 'completed' AND agent_id IS NOT NULL
                   AND transcription_status = 'complete'
                """, sipCallId)).ShouldBe(1, "the call was bridged to agent1 and its transcription completed");
            (await app.CountAsync("""
                SELECT count(DISTINCT s.speaker) FROM transcript_segments s JOIN calls c ON c.id = s.call_id WHERE c.sip_call_id = $1
                """, sipCallId)).ShouldBe(2, "segments of the customer and the agent leg were stored");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
