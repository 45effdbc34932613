using System.Diagnostics.Metrics;
using System.Net;
using System.Threading.Channels;
using CallCenter.Agent.Web.Data;
using CallCenter.Telephony.Acd;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sdp;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Tests.Acd;

/// <summary>
/// The attendant on a real RtpSession over loopback, a real PostgreSQL for the position, the shipped prompts, and a
/// UDP far end that listens to what is played and answers with RFC 4733 digits.
/// </summary>
public sealed class QueueAttendantTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly string PromptsFolder = Path.Combine(TestEnvironment.RepositoryRoot, "src", "Telephony", "Prompts");
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PromptLibrary _library = new(PromptsFolder, NullLogger<PromptLibrary>.Instance);
    private readonly PromptPlayer _player = new(TimeProvider.System, NullLogger<PromptPlayer>.Instance);
    private readonly Channel<char> _digits = Channel.CreateUnbounded<char>();
    private readonly FarEndPhone _phone = new();
    private TestDatabase? _db;
    private RtpSession? _session;

    public async Task InitializeAsync()
    {
        if (TestDatabase.ServerConnectionString is null)
        {
            return;
        }

        _db = await TestDatabase.CreateAsync();
        await new Migrator(_db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        var pool = new RtpPortPool(IPAddress.Loopback, 36000 + (Random.Shared.Next(0, 500) * 4), 36000 + 2000 + 2);
        var lease = pool.Rent().ShouldNotBeNull();
        var agreement = new SdpAgreement(AudioCodec.Pcmu, 101, _phone.EndPoint, "sendrecv");
        _session = new RtpSession(lease, agreement, IPAddress.Loopback, null, d => _digits.Writer.TryWrite(d),
            new MediaMetrics(_services.GetRequiredService<IMeterFactory>()), TimeProvider.System);
        _session.Start();
        _phone.Remote = new IPEndPoint(IPAddress.Loopback, _session.LocalPort);
    }

    /// <summary>A line with a one-second max wait, two callers queued before ours (and one already served); returns our call.</summary>
    private async Task<Guid> QueueBehindTwoAsync()
    {
        await using var conn = await _db!.DataSource.OpenConnectionAsync();
        var line = await conn.ExecuteScalarAsync<int>(
            "INSERT INTO service_lines (code, name_zh, name_en, max_wait_seconds) VALUES ('q', '排队', 'Queue', 1) RETURNING id");
        var ours = Guid.NewGuid();
        await conn.ExecuteAsync("""
            INSERT INTO calls (id, direction, sip_call_id, service_line_id, node, state, queued_at) VALUES
              (gen_random_uuid(), 'inbound', 'a1', @line, 'other-node', 'queued', now() - interval '2 minutes'),
              (gen_random_uuid(), 'inbound', 'a2', @line, 'test', 'queued', now() - interval '1 minute'),
              (gen_random_uuid(), 'inbound', 'a3', @line, 'test', 'connected', now() - interval '90 seconds'),
              (@ours, 'inbound', 'a4', @line, 'test', 'queued', now())
            """, new { line, ours });
        return ours;
    }

    private QueueAttendant Attendant(int announceSeconds = 300) => new(new QueueStore(_db!.DataSource), _player, _library,
        new TelephonyMetrics(_services.GetRequiredService<IMeterFactory>()),
        Options.Create(new TelephonyOptions { Queue = new QueueOptions { AnnounceIntervalSeconds = announceSeconds, OfferDigitTimeoutSeconds = 30 } }),
        TimeProvider.System, NullLogger<QueueAttendant>.Instance);

    /// <summary>800 µ-law bytes from the middle of a prompt, as the player sends them.</summary>
    private byte[] Chunk(string prompt)
    {
        var samples = _library.Get(prompt).ShouldNotBeNull();
        var middle = samples.AsSpan((samples.Length / 2) - 400, 800);
        var bytes = new byte[middle.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = G711.EncodeUlaw(middle[i]);
        }

        return bytes;
    }

    [PostgresFact]
    public async Task TheCallerHearsTwoAheadThenPressesTwoToWaitOnAndOneAtTheNextOfferForACallback()
    {
        var callId = await QueueBehindTwoAsync();
        var attendant = Attendant();
        (await attendant.PositionAsync(callId, CancellationToken.None)).ShouldBe(3);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        var attending = attendant.AttendAsync(new QueuedCaller(callId, _session!, _digits.Reader), limit.Token);

        // "您前面还有 两 位客户在等待": the number piece for two is heard, not another number.
        var heard = await _phone.WaitForAsync(Chunk(QueuePrompts.NumberPrompt(2)), 0, 30);
        _phone.Received().AsSpan().IndexOf(Chunk(QueuePrompts.NumberPrompt(3))).ShouldBe(-1);
        heard = await _phone.WaitForAsync(Chunk("queue_offer.wav")[..400], heard, 30);
        await _phone.PressAsync('2');
        heard = await _phone.WaitForAsync(Chunk("queue_keep_waiting.wav"), heard, 30);
        heard = await _phone.WaitForAsync(Chunk("queue_offer.wav")[..400], heard, 30);
        await _phone.PressAsync('1');

        (await attending).ShouldBe(QueueExit.CallbackChosen);
        await _phone.WaitForAsync(Chunk("queue_callback_confirm.wav"), heard, 10);
    }

    [PostgresFact]
    public async Task CancellingTheWaitStopsTheHoldAudioAtOnce()
    {
        var callId = await QueueBehindTwoAsync();
        await using (var conn = await _db!.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("UPDATE service_lines SET max_wait_seconds = 600 WHERE code = 'q'");
        }

        using var agentAnswered = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var attending = Attendant().AttendAsync(new QueuedCaller(callId, _session!, _digits.Reader), agentAnswered.Token);
        await _phone.WaitForAsync(Chunk("queue_hold.wav"), 0, 30);

        await agentAnswered.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => attending);
        _player.Active.ShouldBe(0);
    }

    [Fact]
    public void NobodyAheadAndMoreThanTwentyAheadHaveTheirOwnSentences()
    {
        var prompts = new QueuePrompts(_library, "queue_hold.wav");

        prompts.Position(0).ShouldBe(_library.Get("queue_next.wav"));
        prompts.Position(21).ShouldBe(_library.Get("queue_ahead_more.wav"));
        prompts.Position(500).ShouldBe(_library.Get("queue_ahead_more.wav"));
        var prefix = _library.Get("queue_ahead_prefix.wav")!.Length;
        prompts.Position(20).ShouldNotBeNull().AsSpan(prefix, _library.Get("queue_n_20.wav")!.Length).ToArray()
            .ShouldBe(_library.Get("queue_n_20.wav"));
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        await _player.DisposeAsync();
        await _phone.DisposeAsync();
        await _services.DisposeAsync();
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }
}
