using System.Diagnostics;
using CallCenter.Telephony.Pipeline;
using CallCenter.Telephony.Transcription.Audio;

// "load": concurrent legs through the whole pipeline with a fake transcriber (LoadBench.cs); default: the VAD's cost.
if (args is ["load", ..])
{
    return await CallCenter.Pipeline.Bench.LoadBench.RunAsync(args[1..]);
}

// Cost of the pipeline's work on the RTP path: the voice-activity detector per leg, in 20 ms packets, on a real
// clip (8 kHz by decimation) looped with silence. Prints the median of repeated runs as times faster than real time.
var clip = args.Length > 0 ? args[0] : "/work/shared/audio/zh04_firered_wenetspeech_TEST_MEETING_T0000000001_S00000.wav";
var audio = WavReader.Read(clip);
var speech = new short[audio.Samples.Length / 2];
for (var i = 0; i < speech.Length; i++)
{
    speech[i] = (short)Math.Clamp((audio.Samples[2 * i] + audio.Samples[(2 * i) + 1]) * 16383, short.MinValue, short.MaxValue);
}

var leg = speech.Concat(new short[8000 * 3]).ToArray();
const int loops = 20;
var seconds = (double)leg.Length * loops / 8000;
var runs = new List<double>();
var utterances = 0;
for (var run = 0; run < 7; run++)
{
    var vad = new VoiceActivityDetector(new PipelineOptions());
    utterances = 0;
    var sw = Stopwatch.StartNew();
    long offset = 0;
    for (var l = 0; l < loops; l++)
    {
        for (var at = 0; at < leg.Length; at += 160)
        {
            vad.Process(offset + at, leg.AsSpan(at, Math.Min(160, leg.Length - at)), _ => utterances++);
        }

        offset += leg.Length;
    }

    runs.Add(seconds / sw.Elapsed.TotalSeconds);
}

runs.Sort();
Console.WriteLine($"clip={Path.GetFileName(clip)} audio={seconds:F0}s utterances={utterances} runs={runs.Count}");
Console.WriteLine($"VAD median {runs[runs.Count / 2]:F0}x real time per leg (min {runs[0]:F0}x, max {runs[^1]:F0}x)");
return 0;
