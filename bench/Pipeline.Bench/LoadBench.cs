using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Pipeline;
using CallCenter.Telephony.Screening;
using CallCenter.Telephony.Transcription;
using CallCenter.Telephony.Transcription.Audio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CallCenter.Pipeline.Bench;

/// <summary>
/// N concurrent agent legs of real speech (8 kHz, 20 ms packets at real-time pace on one feeder thread, like the RTP
/// path) through the real CallPipeline, VAD, redaction, screening and PostgreSQL stores, with a fake transcriber of
/// fixed delay at the seam. Reads the pipeline's own instruments: hit latency (utterance queued → hits stored), queue
/// lag, overload; and the drain time after the last packet (the backlog left behind real time).
/// </summary>
internal static class LoadBench
{
    private static readonly string[] Clips =
    [
        "zh01_firered_aishell_BAC009S0764W0121.wav", "zh05_wenet_aishell_BAC009S0724W0121.wav",
        "zh09_funasr_asr_example.wav", "zh14_paddlespeech_zh.wav", "zh15_paddlespeech_16_audio.wav", "zh16_sherpa_sensevoice_zh.wav",
    ];

    public sealed record RunResult(int Legs, int Utterances, int HitUtterances, double HitP50, double HitP95, double HitMax, double LagP50,
        double LagP95, long Batched, double DrainSeconds, double FeedLateMaxMs, double CpuPercent, double CpuSecondsPerUtterance);

    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        var legCounts = Arg("--legs", "1,4,16,64").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var seconds = int.Parse(Arg("--seconds", "30"), CultureInfo.InvariantCulture);
        var repeats = int.Parse(Arg("--repeats", "3"), CultureInfo.InvariantCulture);
        var delay = TimeSpan.FromMilliseconds(int.Parse(Arg("--delay-ms", "1000"), CultureInfo.InvariantCulture));
        var concurrency = int.Parse(Arg("--concurrency", "2"), CultureInfo.InvariantCulture);
        // engine threads per stream; the service's default is Transcription:Threads = 2 with 2 streams
        var threads = int.Parse(Arg("--threads", Math.Max(1, Environment.ProcessorCount / concurrency).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var audioDir = Arg("--audio", "/work/shared/audio");
        var server = Arg("--db", Environment.GetEnvironmentVariable("CALLCENTER_PG") ?? "");
        if (server.Length == 0)
        {
            Console.Error.WriteLine("Give a PostgreSQL server with --db or CALLCENTER_PG (scripts/pg-cluster.sh start DIR --fast).");
            return 2;
        }

        var utterances = Clips.Select(c => Utterance(Path.Combine(audioDir, c))).ToArray();
        await using var db = await BenchDatabase.CreateAsync(server);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var catalog = new ScreeningCatalog();
        var screening = new ScreeningService(catalog, Options.Create(new ScreeningOptions()), meters, TimeProvider.System);
        await new ScreeningRuleStore(db.DataSource, NullLogger<ScreeningRuleStore>.Instance).SyncAsync(catalog.FileRules, CancellationToken.None);
        var text = TabooSentence(catalog, screening);
        var whisper = Arg("--whisper", "");
        using var model = whisper.Length == 0 ? null : new SyntheticModelFile(whisper == "base" ? Whisper.Bench.SyntheticModel.Base : Whisper.Bench.SyntheticModel.Tiny);
        using var engine = model is null ? null
            : new WhisperCostTranscriber(WhisperEngine.Load(model.Path, threads), concurrency, threads, text);
        var transcriberText = model is null ? $"fake delay={delay.TotalMilliseconds}ms" : $"managed Whisper {whisper} (synthetic weights, substitute text)";
        Console.WriteLine($"# legs={string.Join(',', legCounts)} seconds={seconds} repeats={repeats} transcriber={transcriberText} " +
            $"MaxConcurrentTranscriptions={concurrency} threads/stream={threads} cores={Environment.ProcessorCount} clips={utterances.Length} mean utterance " +
            $"{utterances.Average(u => u.Speech) / 8000.0:F1}s speech + 1.5 s silence");

        var all = new List<RunResult>();
        foreach (var n in legCounts)
        {
            for (var r = 0; r < repeats; r++)
            {
                var result = await RunOnceAsync(n, seconds, utterances, (ITranscriber?)engine ?? new FakeTranscriber(delay, text), concurrency, screening, db, meters, seed: r);
                all.Add(result);
                Console.WriteLine(Format("run", result));
            }
        }

        Console.WriteLine("# medians of the repeats");
        foreach (var group in all.GroupBy(a => a.Legs))
        {
            var g = group.ToList();
            double M(Func<RunResult, double> f) => Median(g.Select(f).ToList());
            Console.WriteLine(Format("median", new RunResult(group.Key, (int)M(x => x.Utterances), (int)M(x => x.HitUtterances), M(x => x.HitP50),
                M(x => x.HitP95), M(x => x.HitMax), M(x => x.LagP50), M(x => x.LagP95), (long)M(x => x.Batched), M(x => x.DrainSeconds),
                M(x => x.FeedLateMaxMs), M(x => x.CpuPercent), M(x => x.CpuSecondsPerUtterance))));
        }

        return 0;
    }

    private static string Format(string label, RunResult r) => string.Create(CultureInfo.InvariantCulture,
        $"{label} legs={r.Legs} utterances={r.Utterances} with_hits={r.HitUtterances} hit_latency_s p50={r.HitP50:F2} p95={r.HitP95:F2} max={r.HitMax:F2} " +
        $"lag_s p50={r.LagP50:F2} p95={r.LagP95:F2} batched={r.Batched} drain_s={r.DrainSeconds:F1} feed_late_max_ms={r.FeedLateMaxMs:F0} cpu={r.CpuPercent:F0}% " +
        $"cpu_s_per_utterance={r.CpuSecondsPerUtterance:F2}");

    /// <summary>A taboo sentence the live rules flag (severity M, so one hit per utterance and no escalation noise).</summary>
    private static string TabooSentence(ScreeningCatalog catalog, ScreeningService screening)
    {
        foreach (var rule in catalog.FileRules.Where(r => r is { Kind: RuleKind.Taboo, MatchMode: MatchMode.Exact, Severity: "M" }))
        {
            var sentence = "好的，" + rule.Phrase + "。";
            if (screening.Screen(sentence, Speaker.Agent, RuleKind.Taboo).Count > 0)
            {
                return sentence;
            }
        }

        throw new InvalidOperationException("no exact taboo rule of severity M fires on its own phrase");
    }

    private sealed record UtteranceAudio(short[] Pcm, int Speech);

    /// <summary>A 16 kHz clip decimated to 8 kHz (pair averages, as the VAD bench), followed by 1.5 s of the customer's turn (silence).</summary>
    private static UtteranceAudio Utterance(string path)
    {
        var audio = WavReader.Read(path);
        var speech = new short[audio.Samples.Length / 2];
        for (var i = 0; i < speech.Length; i++)
        {
            speech[i] = (short)Math.Clamp((audio.Samples[2 * i] + audio.Samples[(2 * i) + 1]) * 16383, short.MinValue, short.MaxValue);
        }

        var total = (speech.Length + 12000 + 159) / 160 * 160; // whole 20 ms packets, so every packet of the loop is full
        return new UtteranceAudio([.. speech, .. new short[total - speech.Length]], speech.Length);
    }

    private static async Task<RunResult> RunOnceAsync(int n, int seconds, UtteranceAudio[] clips, ITranscriber transcriber, int concurrency,
        ScreeningService screening, BenchDatabase db, IMeterFactory meters, int seed)
    {
        var hitLatency = new ConcurrentBag<double>();
        var lag = new ConcurrentBag<double>();
        long batched = 0, cut = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "CallCenter.Telephony" && instrument.Name.StartsWith("callcenter.pipeline.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            (instrument.Name == "callcenter.pipeline.hit_latency" ? hitLatency : instrument.Name == "callcenter.pipeline.lag" ? lag : null)?.Add(value);
        });
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "callcenter.pipeline.overload")
            {
                Interlocked.Add(ref batched, value);
            }
            else if (instrument.Name == "callcenter.pipeline.utterances")
            {
                Interlocked.Add(ref cut, value);
            }
        });
        listener.Start();

        var options = new PipelineOptions { MaxConcurrentTranscriptions = concurrency };
        await using var pipeline = new CallPipeline(Options.Create(options), transcriber, new TranscriptionStatus(TranscriptionMode.Server), screening,
            new TranscriptStore(db.DataSource), new CallEventBus(), new PipelineMetrics(meters), TimeProvider.System, NullLogger<CallPipeline>.Instance);
        var rng = new Random(seed * 1000 + n);
        var legs = new List<(Guid Call, short[] Stream, int Phase)>();
        for (var i = 0; i < n; i++)
        {
            var call = Guid.NewGuid();
            await db.AddCallAsync(call);
            // Each leg speaks the clips in its own order and starts at a random point, so utterance ends are spread.
            var stream = clips.OrderBy(_ => rng.Next()).SelectMany(c => c.Pcm).ToArray();
            legs.Add((call, stream, rng.Next(stream.Length / 160) * 160));
        }

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var lateMax = await Task.Factory.StartNew(() => Feed(pipeline, legs, seconds), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var fedAt = wall.Elapsed;
        foreach (var leg in legs)
        {
            pipeline.OnLegEnded(leg.Call, CallLeg.Agent);
        }

        foreach (var leg in legs)
        {
            await pipeline.WaitForCallAsync(leg.Call, TimeSpan.FromMinutes(5));
        }

        var drain = (wall.Elapsed - fedAt).TotalSeconds;
        // Process CPU, so a busy shared machine shows as fewer seconds of ours, not as a dearer utterance.
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var cpu = cpuSeconds / wall.Elapsed.TotalSeconds / Environment.ProcessorCount * 100;
        listener.Dispose();
        var hits = hitLatency.Order().ToList();
        var lags = lag.Order().ToList();
        return new RunResult(n, (int)Interlocked.Read(ref cut), hits.Count, Percentile(hits, 0.5), Percentile(hits, 0.95), hits.Count == 0 ? 0 : hits[^1],
            Percentile(lags, 0.5), Percentile(lags, 0.95), Interlocked.Read(ref batched), drain, lateMax, cpu,
            cpuSeconds / Math.Max(1, Interlocked.Read(ref cut)));
    }

    /// <summary>Sends 20 ms to every leg each 20 ms of wall time (never skipping a packet); returns how late the worst tick was.</summary>
    private static double Feed(CallPipeline pipeline, List<(Guid Call, short[] Stream, int Phase)> legs, int seconds)
    {
        var packets = seconds * 50;
        var start = Stopwatch.GetTimestamp();
        var lateMax = 0.0;
        for (var p = 0; p < packets; p++)
        {
            var due = TimeSpan.FromMilliseconds(p * 20.0);
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                Thread.Sleep(wait);
            }

            lateMax = Math.Max(lateMax, (Stopwatch.GetElapsedTime(start) - due).TotalMilliseconds);
            foreach (var (call, stream, phase) in legs)
            {
                var at = (phase + (p * 160)) % stream.Length;
                pipeline.OnAudio(call, CallLeg.Agent, (long)p * 160, stream.AsSpan(at, Math.Min(160, stream.Length - at)));
            }
        }

        return lateMax;
    }

    private static double Percentile(List<double> sorted, double q) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>A synthetic model in a temp folder, deleted afterwards (never committed: it is ~78 MB for tiny).</summary>
    private sealed class SyntheticModelFile : IDisposable
    {
        private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("pipeline-bench-");

        public SyntheticModelFile(Whisper.Bench.SyntheticModel.Size size)
        {
            Path = System.IO.Path.Combine(_folder.FullName, size.Name + ".bin");
            Whisper.Bench.SyntheticModel.Write(Path, size);
        }

        public string Path { get; }

        public void Dispose() => _folder.Delete(recursive: true);
    }
}
