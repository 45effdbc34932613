namespace CallCenter.Agent.Web.Qa;

/// <summary>One item of an evaluation form (qa_form_items).</summary>
public sealed record QaFormItem(int Id, string Code, string TitleZh, int Weight, bool Fatal, string? Guidance, string? Prefill, int Position);

/// <summary>A score given to one item; Prefilled is what screening suggested (null = no suggestion).</summary>
public sealed record QaItemScore(int ItemId, decimal Score, decimal? Prefilled, string? OverrideReason);

/// <summary>Total score and grade band (002 §六 第6条: ≥90 优秀, 80–89 良好, 65–79 一般, &lt;65 不合格).</summary>
public static class QaScoring
{
    public const string Excellent = "excellent";
    public const string Good = "good";
    public const string Fair = "fair";
    public const string Fail = "fail";

    public static string Grade(decimal total) => total switch
    {
        >= 90m => Excellent,
        >= 80m => Good,
        >= 65m => Fair,
        _ => Fail,
    };

    public static string GradeZh(string grade) => grade switch
    {
        Excellent => "优秀",
        Good => "良好",
        Fair => "一般",
        _ => "不合格",
    };

    /// <summary>
    /// Sum of item scores, one decimal. A fatal item scored 0 (an H taboo hit, domain.md §11) zeroes the call.
    /// Scores outside 0..weight are refused, not clamped: a typo must not pass silently.
    /// </summary>
    public static decimal Total(IReadOnlyList<QaFormItem> items, IReadOnlyList<QaItemScore> scores)
    {
        decimal total = 0;
        foreach (var item in items)
        {
            var score = scores.FirstOrDefault(s => s.ItemId == item.Id)
                ?? throw new ArgumentException($"item {item.Code} has no score");
            if (score.Score < 0 || score.Score > item.Weight)
            {
                throw new ArgumentException($"item {item.Code}: score must be between 0 and {item.Weight}");
            }

            if (item.Fatal && score.Score == 0)
            {
                return 0;
            }

            total += score.Score;
        }

        return Math.Round(total, 1, MidpointRounding.AwayFromZero);
    }

    /// <summary>What screening suggests for an item; null where the item has no screening source or no result yet.</summary>
    public static decimal? Prefill(QaFormItem item, IReadOnlyList<string?> tabooSeverities, IReadOnlyDictionary<string, bool> required)
    {
        if (item.Prefill == "taboo")
        {
            // Any H = fatal (0); each M costs 5 points and each L 2, never below 0.
            if (tabooSeverities.Contains("H"))
            {
                return 0;
            }

            var deduction = tabooSeverities.Count(s => s == "M") * 5 + tabooSeverities.Count(s => s == "L") * 2;
            return Math.Max(0, item.Weight - deduction);
        }

        if (item.Prefill is { } p && p.StartsWith("required:", StringComparison.Ordinal))
        {
            return required.TryGetValue(p["required:".Length..], out var passed) ? (passed ? item.Weight : 0) : null;
        }

        return null;
    }
}
