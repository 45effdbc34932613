using CallCenter.Telephony.Screening;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>reliability.md D-1: every seed phrase of domain.md §2 is flagged with its own rule; customer text never raises agent hits.</summary>
[Collection(ScreeningGroup.Name)]
public sealed class SeedPhraseTests(ScreeningFixture fixture)
{
    [Fact]
    public void TheTabooFileHoldsAll86SeedRulesWithCitations()
    {
        var taboo = fixture.Catalog.FileRules.Where(r => r.Kind == RuleKind.Taboo).ToList();
        taboo.Count.ShouldBe(86);
        taboo.Select(r => r.Code).ShouldBe(Enumerable.Range(1, 86).Select(i => $"TB{i:00}"));
        taboo.ShouldAllBe(r => !string.IsNullOrWhiteSpace(r.Source) && r.Severity != null && r.Category != null);
    }

    [Fact]
    public void EverySeedPhraseInCanonicalFormIsFlaggedWithItsOwnRule()
    {
        var missed = new List<string>();
        foreach (var entry in fixture.Catalog.FileEntries.Where(e => e.Rule.Kind == RuleKind.Taboo))
        {
            foreach (var form in entry.Entry.Forms)
            {
                var hits = fixture.Engine.Screen(form, Speaker.Agent);
                if (!hits.Any(h => h.Code == entry.Rule.Code))
                {
                    missed.Add($"{entry.Rule.Code} '{form}' -> [{string.Join(",", hits.Select(h => h.Code))}]");
                }
            }
        }

        missed.ShouldBeEmpty(string.Join(" | ", missed));
    }

    [Fact]
    public void EverySeedPhraseInTraditionalScriptIsFlaggedToo()
    {
        var missed = new List<string>();
        foreach (var entry in fixture.Catalog.FileEntries.Where(e => e.Rule.Kind == RuleKind.Taboo))
        {
            var form = TraditionalScript.Convert(entry.Entry.Forms[0]);
            if (!fixture.Engine.Screen(form, Speaker.Agent).Any(h => h.Code == entry.Rule.Code))
            {
                missed.Add($"{entry.Rule.Code} '{form}'");
            }
        }

        missed.ShouldBeEmpty(string.Join(" | ", missed));
    }

    [Fact]
    public void CustomerLegTextNeverRaisesAgentTabooHits()
    {
        foreach (var entry in fixture.Catalog.FileEntries.Where(e => e.Rule.Kind == RuleKind.Taboo))
        {
            fixture.Engine.Screen(entry.Entry.Forms[0], Speaker.Customer).ShouldNotContain(h => h.Kind == RuleKind.Taboo);
        }
    }

    [Fact]
    public void AHitCarriesTheRuleTheOriginalTextAndItsOffsets()
    {
        const string text = "您好，這是廠家的事，我管不了。";
        var hit = fixture.Engine.Screen(text, Speaker.Agent).First(h => h.Code == "TB01");
        hit.MatchedText.ShouldBe("廠家的事");
        text.Substring(hit.Start, hit.Length).ShouldBe(hit.MatchedText);
        hit.Version.ShouldBe(1);
        hit.Category.ShouldBe("BuckPassing");
        hit.Severity.ShouldBe("H");
        hit.Mode.ShouldBe(MatchMode.Exact);
        hit.Source.ShouldNotBeNull().ShouldStartWith("000 L104");
    }
}
