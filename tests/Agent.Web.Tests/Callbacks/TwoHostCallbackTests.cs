using System.Text.RegularExpressions;
using CallCenter.Telephony.Tests.Outbound;
using CallCenter.TestSupport;
using Dapper;
using Xunit.Abstractions;

namespace CallCenter.Agent.Web.Tests.Callbacks;

/// <summary>
/// Issue 8's exactly-once check with real SIP: two hosts on one database race for N due pick-up reminders; one sipp
/// UAS behind the shared trunk answers every call and presses 1. Every attempt must be dialed once, seen once at sipp.
/// </summary>
public sealed partial class TwoHostCallbackTests(TwoHostCallbackFixture fx, ITestOutputHelper output) : IClassFixture<TwoHostCallbackFixture>
{
    private const int Reminders = 10;

    [PostgresFact]
    public async Task TwoHostsRacingForDueRemindersDialEachAttemptExactlyOnceThroughTheTrunk()
    {
        var xml = SippTrunk.Scenario("trunk-answer-dtmf.xml").Replace("@PCAP@", SippTrunk.Pcap("dtmf_2833_1.pcap"), StringComparison.Ordinal);
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, xml, calls: Reminders, timeoutSeconds: 120);

        var callbackIds = new List<long>();
        for (var i = 0; i < Reminders; i++)
        {
            callbackIds.Add(await fx.ReadyRepairReminderAsync("1380013" + (8100 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var attempts = await WaitForAllAttemptsToEndAsync(callbackIds, seconds: 90);
        var (exit, sippOutput) = await sipp.WaitAsync(seconds: 60);

        var perNode = await QueryAsync<(string Node, int Calls)>("""
            SELECT c.node, count(*)::int FROM calls c JOIN callback_attempts a ON a.id = c.callback_attempt_id
             WHERE a.callback_id = ANY(@callbackIds) GROUP BY c.node ORDER BY c.node
            """, new { callbackIds = callbackIds.ToArray() });
        output.WriteLine("calls per node: " + string.Join(", ", perNode.Select(n => n.Node + "=" + n.Calls)));
        var claimedBy = await QueryAsync<(string Node, int Attempts)>(
            "SELECT claimed_by, count(*)::int FROM callback_attempts WHERE callback_id = ANY(@callbackIds) GROUP BY claimed_by ORDER BY claimed_by",
            new { callbackIds = callbackIds.ToArray() });
        output.WriteLine("attempts claimed per node: " + string.Join(", ", claimedBy.Select(n => n.Node + "=" + n.Attempts)));

        exit.ShouldBe(0, sippOutput);
        // One attempt per request, each answered and confirmed with key 1, and no second attempt anywhere.
        attempts.Count.ShouldBe(Reminders);
        attempts.ShouldAllBe(a => a.State == "done" && a.Outcome == "confirmed" && a.Dtmf == "1");
        (await QueryAsync<int>("SELECT count(*)::int FROM callback_attempts WHERE callback_id = ANY(@callbackIds)", new { callbackIds = callbackIds.ToArray() }))
            .Single().ShouldBe(Reminders);
        (await QueryAsync<string>("SELECT DISTINCT state FROM callbacks WHERE id = ANY(@callbackIds)", new { callbackIds = callbackIds.ToArray() }))
            .ShouldBe(["completed"]);

        // At sipp: exactly N distinct INVITE transactions (retransmissions once), each attempt's header exactly once.
        var invites = InvitesSeen(sipp.Messages);
        sipp.InviteBranches().Count.ShouldBe(Reminders);
        invites.Select(i => i.Branch).Distinct(StringComparer.Ordinal).Count().ShouldBe(Reminders);
        var headerValues = invites.Select(i => i.Attempt).ToList();
        headerValues.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty();
        headerValues.Order(StringComparer.Ordinal).ShouldBe(
            attempts.Select(a => a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal));

        // One outbound call row per attempt, carrying the attempt's Call-ID; the node split is printed, not asserted.
        var calls = await QueryAsync<(long AttemptId, string SipCallId, string Node)>("""
            SELECT c.callback_attempt_id, c.sip_call_id, c.node FROM calls c JOIN callback_attempts a ON a.id = c.callback_attempt_id
             WHERE a.callback_id = ANY(@callbackIds) AND c.direction = 'outbound'
            """, new { callbackIds = callbackIds.ToArray() });
        calls.Count.ShouldBe(Reminders);
        calls.Select(c => c.AttemptId).Distinct().Count().ShouldBe(Reminders);
        calls.Select(c => c.SipCallId).Order(StringComparer.Ordinal).ShouldBe(attempts.Select(a => a.SipCallId!).Order(StringComparer.Ordinal));
        calls.Select(c => c.Node).ShouldAllBe(n => fx.NodeNames.Contains(n));
    }

    /// <summary>Waits (bounded) until every callback's first attempt has left 'scheduled' and 'dialing'.</summary>
    private async Task<IReadOnlyList<AttemptRow>> WaitForAllAttemptsToEndAsync(List<long> callbackIds, int seconds)
    {
        IReadOnlyList<AttemptRow> rows = [];
        for (var i = 0; i < seconds * 4; i++)
        {
            rows = await QueryAsync<AttemptRow>("""
                SELECT id AS Id, state AS State, outcome AS Outcome, dtmf AS Dtmf, sip_call_id AS SipCallId, notes AS Notes
                  FROM callback_attempts WHERE callback_id = ANY(@callbackIds) AND attempt_no = 1 AND state NOT IN ('scheduled','dialing')
                """, new { callbackIds = callbackIds.ToArray() });
            if (rows.Count == callbackIds.Count)
            {
                return rows;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException(rows.Count + " of " + callbackIds.Count + " first attempts ended within " + seconds + " s");
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object args)
    {
        await using var conn = await fx.DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<T>(sql, args)).ToList();
    }

    /// <summary>Each distinct INVITE transaction sipp received (by Via branch) with its X-CallCenter-Attempt value.</summary>
    private static List<(string Branch, string Attempt)> InvitesSeen(string messages) =>
        InviteHeadersRegex().Matches(messages)
            .Select(m => (Branch: BranchRegex().Match(m.Groups[1].Value).Groups[1].Value, Attempt: AttemptRegex().Match(m.Groups[1].Value).Groups[1].Value.Trim()))
            .Distinct()
            .ToList();

    [GeneratedRegex(@"^INVITE sip:[^\r\n]*\r?\n((?:[^\r\n]+\r?\n)+)", RegexOptions.Multiline)]
    private static partial Regex InviteHeadersRegex();

    [GeneratedRegex(@"^Via: [^\r\n]*branch=([^;\r\n ]+)", RegexOptions.Multiline)]
    private static partial Regex BranchRegex();

    [GeneratedRegex(@"^X-CallCenter-Attempt:([^\r\n]*)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex AttemptRegex();
}
