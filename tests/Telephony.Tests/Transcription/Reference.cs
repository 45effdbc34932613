using System.Text.Json;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Transcription;

/// <summary>Access to ../shared/whisper-reference: whisper.cpp 1.9.1's outputs for the synthetic models (the oracle).</summary>
internal static class Reference
{
    public const string Micro = "synthetic-micro-f16.bin";
    public const string Tiny = "synthetic-tiny-f16.bin";

    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(System.IO.Path.Combine(Folder, "reference.json"))));

    public static string Folder => System.IO.Path.Combine(TestEnvironment.SharedDirectory, "whisper-reference");

    public static JsonElement Root => Document.Value.RootElement;

    public static string Path(string file) => System.IO.Path.Combine(Folder, file);

    public static JsonElement Model(string model) => Root.GetProperty("models").GetProperty(model);

    public static JsonElement Results(string model, string clip) => Root.GetProperty("results").GetProperty(model).GetProperty(clip);

    public static IEnumerable<string> Clips => Root.GetProperty("clips").EnumerateObject().Select(p => p.Name);
}
