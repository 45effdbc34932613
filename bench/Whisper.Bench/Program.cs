using System.Diagnostics;
using System.Globalization;
using CallCenter.Telephony.Transcription;
using CallCenter.Telephony.Transcription.Decoding;
using CallCenter.Telephony.Transcription.Model;
using CallCenter.Whisper.Bench;


// Whisper engine speed on models of the real tiny and base sizes (synthetic weights).
// usage: Whisper.Bench [tiny|base] [--repeats N] [--single] [--encoder-only] [--decoder-only] [--profile [--wall]] [--model PATH]   (one size per process, so peak memory is per model;
// --single skips the concurrent-streams table)
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var size = args.Contains("base") ? SyntheticModel.Base : SyntheticModel.Tiny;
var repeats = args.SkipWhile(a => a != "--repeats").Skip(1).Select(int.Parse).FirstOrDefault(3);
const int Threads = 2;
const int Tokens = 70;

var modelPath = args.SkipWhile(a => a != "--model").Skip(1).FirstOrDefault();
if (modelPath is null)
{
    Environment.Exit(WriteAndMeasure(args, size));
}

var path = modelPath;
var fileMb = new FileInfo(path).Length / 1e6;
var clock = Stopwatch.StartNew();
var beforeLoad = Environment.WorkingSet / 1e6;
var heapBeforeLoad = GC.GetTotalMemory(forceFullCollection: true) / 1e6;
clock.Restart();
var engine = WhisperEngine.Load(path, Threads);
var loadMs = clock.ElapsedMilliseconds;
var heapAfterLoad = GC.GetTotalMemory(forceFullCollection: true) / 1e6;
Console.WriteLine($"# working set before load {beforeLoad:F0} MB (runtime, JIT, bench), GC heap {heapBeforeLoad:F1} -> {heapAfterLoad:F1} MB across the load ({fileMb:F1} MB of it the weights)");
var pcm10 = Speech(10);

var afterLoad = Environment.WorkingSet / 1e6;
var state = new WhisperState(engine.Model, Threads);
var mel = engine.LogMel.Compute(pcm10);
StreamScratch.For(state).Mel = mel.Data; // one mel buffer per stream, as in the service (same audio, same values)
state.Encode(mel.Data, mel.Length); // warm-up (JIT, page faults)
Utterance(engine, state, pcm10, 0);
var gc = GC.GetGCMemoryInfo();
Console.WriteLine($"# working set after load {afterLoad:F0} MB, after the first utterance {Environment.WorkingSet / 1e6:F0} MB; GC heap {gc.HeapSizeBytes / 1e6:F0} MB, committed {gc.TotalCommittedBytes / 1e6:F0} MB");

if (args.Contains("--profile"))
{
    Profile(engine, state, repeats, args.Contains("--wall"));
    return;
}

if (args.Contains("--encoder-only"))
{
    // for profilers and A/B runs: nothing but the encoder on one 30 s window
    var only = Median(repeats, () => state.Encode(mel.Data, mel.Length));
    Console.WriteLine($"encoder {only}");
    return;
}

if (args.Contains("--decoder-only"))
{
    // for profilers: nothing but greedy decoding over one encoded window
    var only = Median(repeats, () => DecodeTokens(engine, state, Tokens));
    Console.WriteLine($"decoder per token {only.Wall / Tokens:F2} ms (CPU {only.Cpu / Tokens:F2})");
    return;
}

var encoder = Median(repeats, () => state.Encode(mel.Data, mel.Length));
var tokens = Median(repeats, () => DecodeTokens(engine, state, Tokens));
var utterance = Median(repeats, () => Utterance(engine, state, pcm10, 0));
var utterance500 = Median(repeats, () => Utterance(engine, state, pcm10, 500));
var melMs = Median(repeats, () => engine.LogMel.Compute(pcm10, mel.Data));
using (var me = Process.GetCurrentProcess())
{
    me.Refresh();
    var peak = me.PeakWorkingSet64 / 1e6;
    Console.WriteLine("| model | file | load | log-mel 10 s | encoder 30 s window | decoder per token | 10 s utterance, 70 tokens | same, audio_ctx 500 | peak RSS (1 stream) |");
    Console.WriteLine($"| {size.Name} | {fileMb:F0} MB | {loadMs} ms | {melMs.Wall:F0} ms | {encoder} | {tokens.Wall / Tokens:F2} ms (CPU {tokens.Cpu / Tokens:F2}) | {utterance} | {utterance500} | {peak:F0} MB ({peak / fileMb:F2}x file) |");
}

foreach (var streams in args.Contains("--single") ? [] : new[] { 1, 2, 4 })
{
    var threadsPerStream = Math.Max(1, Threads / streams);
    var states = Enumerable.Range(0, streams).Select(_ => new WhisperState(engine.Model, threadsPerStream)).ToArray();
    const int perStream = 2;
    clock.Restart();
    Parallel.For(0, streams, new ParallelOptions { MaxDegreeOfParallelism = streams }, s =>
    {
        for (var i = 0; i < perStream; i++)
        {
            Utterance(engine, states[s], pcm10, 0);
        }
    });
    var seconds = clock.Elapsed.TotalSeconds;
    GC.KeepAlive(states);
    var audio = streams * perStream * 10.0;
    Console.WriteLine($"| {size.Name} | {streams} streams x {threadsPerStream} thread(s) | {streams * perStream} utterances in {seconds:F1} s | {audio / seconds:F1} audio-s per s | RTF {seconds / audio:F3} |");
}

using var self = Process.GetCurrentProcess();
self.Refresh();
Console.WriteLine($"| {size.Name} | peak RSS with 1+1+2+4 stream states | {self.PeakWorkingSet64 / 1e6:F0} MB |");

// Writes the synthetic model to a temp folder, then measures in a fresh process of this bench given --model:
// that process only loads and transcribes, so its peak memory is the engine's (plus the .NET runtime), not the
// writer's buffers or the machinery of starting processes. A service never writes models.
static int WriteAndMeasure(string[] args, SyntheticModel.Size size)
{
    var folder = Directory.CreateTempSubdirectory("whisper-bench-");
    try
    {
        var path = Path.Combine(folder.FullName, $"synthetic-{size.Name}-f16.bin");
        var clock = Stopwatch.StartNew();
        SyntheticModel.Write(path, size);
        Console.WriteLine($"# {size.Name}: wrote {new FileInfo(path).Length / 1e6:F1} MB in {clock.ElapsedMilliseconds} ms; measuring in a fresh process");
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(SyntheticModel).Assembly.Location);
        }

        foreach (var a in args.Append("--model").Append(path))
        {
            start.ArgumentList.Add(a);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the measuring process");
        child.WaitForExit();
        return child.ExitCode;
    }
    finally
    {
        folder.Delete(recursive: true);
    }
}

// A 10 s utterance: log-mel, encoder, prompt, then greedy decoding forced to run to `Tokens` tokens.
static void Utterance(WhisperEngine engine, WhisperState state, float[] pcm, int audioCtx)
{
    var scratch = StreamScratch.For(state);
    var mel = engine.LogMel.Compute(pcm, scratch.Mel);
    scratch.Mel = mel.Data;
    state.Encode(mel.Data, mel.Length, 0, audioCtx);
    DecodeTokens(engine, state, Tokens);
}

static void DecodeTokens(WhisperEngine engine, WhisperState state, int count)
{
    var v = engine.Vocabulary;
    var options = new DecodingOptions { NoTimestamps = true };
    var processor = new LogitProcessor(v, options, engine.Model.HParams.NAudioCtx, StreamScratch.For(state).Logits);
    int[] prompt = [v.Sot, v.LanguageToken("zh"), v.Transcribe, v.NoTimestamps];
    state.Decode(prompt, 0);
    var tokens = new List<DecodedToken>();
    var one = new int[1];
    for (var i = 0; i < count; i++)
    {
        processor.Process(state.Logits, tokens, false, 3000, 0, null);
        var token = processor.Sample(null);
        tokens.Add(token);
        one[0] = token.Id == v.Eot ? 220 : token.Id; // random weights may end early; keep going
        state.Decode(one, prompt.Length + i);
    }
}

// Where one greedy decoding step goes: the state's per-stage clock, the logit processor, and managed allocations.
static void Profile(WhisperEngine engine, WhisperState state, int repeats, bool wall)
{
    var v = engine.Vocabulary;
    var times = new DecoderStageTimes(wall ? () => System.Diagnostics.Stopwatch.GetTimestamp() * (1_000_000_000 / System.Diagnostics.Stopwatch.Frequency) : ProcessCpu.Nanoseconds);
    state.StageTimes = times;
    var options = new DecodingOptions { NoTimestamps = true };
    int[] prompt = [v.Sot, v.LanguageToken("zh"), v.Transcribe, v.NoTimestamps];
    var one = new int[1];
    long processTicks = 0, steps = 0;
    long allocated = 0;
    for (var r = 0; r < repeats; r++)
    {
        var processor = new LogitProcessor(v, options, engine.Model.HParams.NAudioCtx);
        state.Decode(prompt, 0);
        times.Reset();
        processTicks = 0;
        steps = 0;
        var tokens = new List<DecodedToken>(Tokens);
        var bytes0 = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Tokens; i++)
        {
            var t0 = ProcessCpu.Nanoseconds();
            processor.Process(state.Logits, tokens, false, 3000, 0, null);
            var token = processor.Sample(null);
            processTicks += ProcessCpu.Nanoseconds() - t0;
            tokens.Add(token);
            one[0] = token.Id == v.Eot ? 220 : token.Id;
            state.Decode(one, prompt.Length + i);
            steps++;
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - bytes0;
    }

    state.StageTimes = null;
    double Ms(long ns) => ns / 1e6 / steps;
    Console.WriteLine($"# per token, last of {repeats} runs of {Tokens} tokens ({(wall ? "wall-clock ms" : "process CPU ms, all threads")}):");
    var total = 0.0;
    foreach (var stage in Enum.GetValues<DecoderStage>())
    {
        var ms = Ms(times.Ticks[(int)stage]);
        total += ms;
        Console.WriteLine($"{stage,-18} {ms,7:F3} ms");
    }

    Console.WriteLine($"{"LogitProcessor",-18} {Ms(processTicks),7:F3} ms");
    Console.WriteLine($"{"total",-18} {total + Ms(processTicks),7:F3} ms; allocated {allocated / (double)steps:F0} bytes per token on this thread");
}

// Median wall time and median process CPU time (ms) of n runs; CPU time is the steadier figure on a shared machine.
static Timing Median(int n, Action action)
{
    var wall = new List<double>();
    var cpu = new List<double>();
    using var me = Process.GetCurrentProcess();
    for (var i = 0; i < n; i++)
    {
        me.Refresh();
        var cpu0 = me.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        action();
        wall.Add(sw.Elapsed.TotalMilliseconds);
        me.Refresh();
        cpu.Add((me.TotalProcessorTime - cpu0).TotalMilliseconds);
    }

    wall.Sort();
    cpu.Sort();
    return new Timing(wall[n / 2], cpu[n / 2]);
}

// Speech-like test signal: a gliding harmonic tone with syllable-rate amplitude modulation, plus noise.
static float[] Speech(int seconds)
{
    var random = new Random(7);
    var x = new float[16000 * seconds];
    for (var i = 0; i < x.Length; i++)
    {
        var t = i / 16000.0;
        var f0 = 140 + 30 * Math.Sin(2 * Math.PI * 0.7 * t);
        var envelope = 0.5 + 0.5 * Math.Sin(2 * Math.PI * 4 * t);
        x[i] = (float)(0.2 * envelope * (Math.Sin(2 * Math.PI * f0 * t) + 0.5 * Math.Sin(4 * Math.PI * f0 * t)) + 0.005 * (random.NextDouble() - 0.5));
    }

    return x;
}
