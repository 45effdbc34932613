using System.Diagnostics;
using System.Globalization;
using CallCenter.Telephony.Transcription.Audio;
using CallCenter.Telephony.Transcription.Decoding;
using CallCenter.Telephony.Transcription.Ggml;

namespace CallCenter.Telephony.Transcription;

/// <summary>
/// <c>transcribe FILE.wav [--model PATH] [--language zh|auto] [--threads N] [--no-timestamps] [--prompt TEXT]</c>:
/// runs the in-process engine on one file and prints timed segments. The model defaults to
/// Transcription__ModelPath. Exit codes: 0 done, 1 model or audio problem, 2 usage error.
/// </summary>
public static class TranscribeCommand
{
    public const string Name = "transcribe";

    private const string Usage = "usage: transcribe FILE.wav [--model PATH] [--language zh|auto] [--threads N] [--no-timestamps] [--prompt TEXT]";

    public static Task<int> RunAsync(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var rest = args.Length > 0 && args[0] == Name ? args[1..] : args;
        string? file = null, model = Environment.GetEnvironmentVariable("Transcription__ModelPath"), prompt = null;
        var language = "zh";
        var threads = Math.Clamp(Environment.ProcessorCount, 1, 4);
        var noTimestamps = false;
        for (var i = 0; i < rest.Length; i++)
        {
            string? Value() => i + 1 < rest.Length ? rest[++i] : null;
            switch (rest[i])
            {
                case "--model": model = Value(); break;
                case "--language": language = Value() ?? ""; break;
                case "--prompt": prompt = Value(); break;
                case "--no-timestamps": noTimestamps = true; break;
                case "--threads":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out threads) || threads is < 1 or > 64)
                    {
                        return Fail(output, "--threads needs a number from 1 to 64", 2);
                    }

                    break;
                default:
                    if (rest[i].StartsWith("--", StringComparison.Ordinal) || file is not null)
                    {
                        return Fail(output, $"unexpected argument '{rest[i]}'\n{Usage}", 2);
                    }

                    file = rest[i];
                    break;
            }
        }

        if (file is null)
        {
            return Fail(output, Usage, 2);
        }

        if (string.IsNullOrEmpty(model))
        {
            return Fail(output, "no model: pass --model PATH or set Transcription__ModelPath (a whisper.cpp ggml file such as ggml-base.bin)", 2);
        }

        if (string.IsNullOrEmpty(language))
        {
            return Fail(output, "--language needs a code such as zh, en or auto", 2);
        }

        try
        {
            var audio = WavReader.Read(file);
            var pcm = Resampler.To16k(audio);
            var clock = Stopwatch.StartNew();
            var engine = WhisperEngine.Load(model, threads);
            var loadMs = clock.ElapsedMilliseconds;
            clock.Restart();
            var result = engine.Transcribe(pcm, new DecodingOptions { Language = language, NoTimestamps = noTimestamps, InitialPrompt = prompt });
            var segments = WhisperTranscriber.ToSegments(result, pcm.Length / 16000.0, noTimestamps);
            foreach (var s in segments)
            {
                output.WriteLine($"[{Time(s.Start)} --> {Time(s.End)}] {s.Text}");
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# language {result.Language}, audio {audio.DurationSeconds:F2} s, model load {loadMs} ms, transcription {clock.ElapsedMilliseconds} ms, {threads} threads"));
            return Task.FromResult(0);
        }
        catch (Exception ex) when (ex is WhisperModelException or WavFormatException or ArgumentException)
        {
            return Fail(output, ex.Message, 1);
        }
    }

    private static string Time(TimeSpan t) => t.ToString(@"mm\:ss\.fff", CultureInfo.InvariantCulture);

    private static Task<int> Fail(TextWriter output, string message, int code)
    {
        output.WriteLine("transcribe: " + message);
        return Task.FromResult(code);
    }
}
