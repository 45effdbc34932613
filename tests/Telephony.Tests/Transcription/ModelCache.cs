using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Telephony.Tests.Transcription;

/// <summary>Loads each reference model once per test run (they are read-only and shared, as in production).</summary>
public sealed class ModelCache
{
    private readonly Lazy<WhisperModel> micro = new(() => WhisperModel.Load(Reference.Path(Reference.Micro)));
    private readonly Lazy<WhisperModel> tiny = new(() => WhisperModel.Load(Reference.Path(Reference.Tiny)));

    public WhisperModel Get(string name) => name == Reference.Tiny ? tiny.Value : micro.Value;
}

[CollectionDefinition(Name)]
public sealed class WhisperModels : ICollectionFixture<ModelCache>
{
    public const string Name = "whisper models";
}
