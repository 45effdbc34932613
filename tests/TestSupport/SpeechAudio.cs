using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using CallCenter.Telephony.Media;

namespace CallCenter.TestSupport;

/// <summary>
/// Mandarin speech for call tests, spoken by espeak-ng (-v cmn, installed by scripts/lib.sh) and resampled to the
/// telephone rate by sox: real synthesized speech that VAD and recordings treat like a caller's voice.
/// </summary>
public static class SpeechAudio
{
    /// <summary>8 kHz mono samples of <paramref name="text"/>; cached per text in the temp folder.</summary>
    public static short[] Mandarin(string text)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "cc-speech"));
        var wav8k = Path.Combine(dir.FullName, key + "-8k.wav");
        if (!File.Exists(wav8k))
        {
            var raw = Path.Combine(dir.FullName, key + "-" + Guid.NewGuid().ToString("N")[..6] + ".wav");
            var tmp = wav8k + "." + Guid.NewGuid().ToString("N")[..6];
            Run("espeak-ng", "-v", "cmn", "-s", "150", "-w", raw, text);
            Run("sox", raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "wav", tmp);
            File.Delete(raw);
            File.Move(tmp, wav8k, overwrite: true); // atomic: parallel tests never read half a file
        }

        return WavReader.ReadMono8k(wav8k);
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException(file + " did not start");
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException(file + " did not finish in 30 s");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException(file + " failed (" + p.ExitCode + "): " + err.Result);
        }
    }
}
