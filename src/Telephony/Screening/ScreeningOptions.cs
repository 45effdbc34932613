using System.ComponentModel.DataAnnotations;

namespace CallCenter.Telephony.Screening;

/// <summary>Settings of the screening engine, bound from "Telephony:Screening".</summary>
public sealed class ScreeningOptions
{
    public const string Section = "Telephony:Screening";

    /// <summary>Copy the rule files into screening_rules at start and run from the database rows (admins edit them there).</summary>
    public bool UseDatabaseRules { get; set; } = true;

    /// <summary>How often the rules are re-read from the database so edits on any node apply; 0 = only at start.</summary>
    [Range(0, 86_400)]
    public int ReloadSeconds { get; set; } = 60;

    /// <summary>Longest text the check API and CLI accept, in characters.</summary>
    [Range(1, 100_000)]
    public int MaxTextLength { get; set; } = 2_000;

    /// <summary>Pinyin matching only for cores of at least this many characters (shorter ones fire on everything).</summary>
    [Range(2, 20)]
    public int FuzzyMinLength { get; set; } = 4;

    /// <summary>Cores of this length and longer tolerate one dropped or extra syllable.</summary>
    [Range(2, 40)]
    public int FuzzyOneEditFrom { get; set; } = 5;

    /// <summary>Cores of this length and longer tolerate two.</summary>
    [Range(2, 40)]
    public int FuzzyTwoEditsFrom { get; set; } = 8;

    [Required]
    public RedactionOptions Redaction { get; set; } = new();

    public FuzzySettings Fuzzy => new(FuzzyMinLength, FuzzyOneEditFrom, FuzzyTwoEditsFrom);
}
