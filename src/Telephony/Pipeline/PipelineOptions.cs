using System.ComponentModel.DataAnnotations;

namespace CallCenter.Telephony.Pipeline;

/// <summary>The live call pipeline ("Telephony:Pipeline"): voice activity, queueing and hallucination thresholds.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Telephony:Pipeline";

    public bool Enabled { get; set; } = true;

    /// <summary>Trailing silence that ends an utterance.</summary>
    [Range(200, 3000)]
    public int EndSilenceMs { get; set; } = 600;

    /// <summary>Longest utterance; a longer one is cut and the next starts with <see cref="OverlapMs"/> of the previous audio.</summary>
    [Range(2000, 30000)]
    public int MaxUtteranceMs { get; set; } = 15000;

    [Range(0, 2000)]
    public int OverlapMs { get; set; } = 500;

    /// <summary>Utterances with less voiced audio than this are clicks or breaths: never sent to Whisper.</summary>
    [Range(60, 2000)]
    public int MinSpeechMs { get; set; } = 250;

    /// <summary>How far above the adaptive noise floor a frame must be to count as speech.</summary>
    [Range(3, 40)]
    public double SpeechAboveFloorDb { get; set; } = 12;

    /// <summary>Frames quieter than this are never speech, whatever the floor.</summary>
    [Range(-90, -10)]
    public double AbsoluteMinDbfs { get; set; } = -50;

    /// <summary>Utterances waiting per leg; past it the customer leg drops its oldest, the agent leg batches.</summary>
    [Range(1, 1000)]
    public int QueueCapacity { get; set; } = 8;

    [Range(1, 64)]
    public int MaxConcurrentTranscriptions { get; set; } = 2;

    /// <summary>Whisper's own no-speech rule: high no-speech probability with low log-probability is not speech.</summary>
    [Range(0.0, 1.0)]
    public double NoSpeechThreshold { get; set; } = 0.6;

    [Range(-10.0, 0.0)]
    public double LogProbThreshold { get; set; } = -1.0;

    /// <summary>Stock phrases Whisper invents on noise (subtitle credits, "thanks for watching"): such segments are marked suspect.</summary>
    public IList<string> StockPhrases { get; } =
    [
        "谢谢观看", "感谢观看", "谢谢收看", "请不吝点赞", "订阅", "点赞", "字幕由", "字幕志愿者", "明镜与点点", "优优独播剧场",
        "中文字幕", "Amara.org", "thanks for watching", "please subscribe",
    ];
}
