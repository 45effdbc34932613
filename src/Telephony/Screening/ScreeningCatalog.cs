namespace CallCenter.Telephony.Screening;

/// <summary>
/// The loaded, validated screening data: tables, lexicon and the rules of the embedded files. Built once at
/// start (a bad file stops the host with every problem listed); engines are made from it for any rule set.
/// </summary>
public sealed class ScreeningCatalog
{
    public ScreeningCatalog(FuzzySettings? fuzzy = null)
    {
        Tables = new ChineseTables();
        Lexicon = RuleFiles.LoadLexicon();
        Normalizer = new TextNormalizer(Tables, Lexicon);
        FileEntries = RuleFiles.LoadAll(Normalizer);
        FileRules = FileEntries.Select(e => e.Rule).ToArray();
        Fuzzy = fuzzy ?? new FuzzySettings();
    }

    public ChineseTables Tables { get; }

    public Lexicon Lexicon { get; }

    public TextNormalizer Normalizer { get; }

    public IReadOnlyList<RuleFileEntryWithRule> FileEntries { get; }

    public IReadOnlyList<ScreeningRule> FileRules { get; }

    public FuzzySettings Fuzzy { get; }

    public ScreeningEngine CreateEngine(IEnumerable<ScreeningRule>? rules = null) => new(Normalizer, Lexicon, rules ?? FileRules, Fuzzy);
}
