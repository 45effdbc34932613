using System.Globalization;
using CallCenter.Telephony.Screening;
using Xunit.Abstractions;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>reliability.md D-2 (recall on text and under recogniser noise) and D-3 (near-miss false hits) on the labelled set.</summary>
[Collection(ScreeningGroup.Name)]
public sealed class ScreeningQualityTests(ScreeningFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] NegativeGroups = ["nearmiss-seed", "negated", "nearmiss"];

    [Fact]
    public void RecallOnPositiveLinesMeetsTheD2Bar()
    {
        var positives = LabelledSet.Lines.Where(l => l.Expected.Length > 0).ToList();
        var missed = positives
            .Where(l => !l.Expected.All(code => Hits(l).Any(h => h.Code == code)))
            .Select(l => $"{l.Group} '{l.Text}' expected [{string.Join(",", l.Expected)}] got [{string.Join(",", Hits(l).Select(h => h.Code))}]")
            .ToList();
        var recall = 1.0 - ((double)missed.Count / positives.Count);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"positive lines {positives.Count}, recall {recall:P1}"));
        missed.ForEach(output.WriteLine);
        recall.ShouldBeGreaterThanOrEqualTo(0.95, string.Join(" | ", missed));
    }

    [Fact]
    public void PrecisionOverAllReportedHitsIsReported()
    {
        var hits = LabelledSet.Lines.SelectMany(l => Hits(l).Where(h => h.Kind == RuleKind.Taboo).Select(h => (Line: l, Hit: h))).ToList();
        var wrong = hits.Where(x => !x.Line.Expected.Contains(x.Hit.Code)).ToList();
        var precision = 1.0 - ((double)wrong.Count / hits.Count);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hits {hits.Count}, unexpected {wrong.Count}, precision {precision:P1}"));
        wrong.ForEach(w => output.WriteLine($"unexpected {w.Hit.Code} ({w.Hit.Mode}) on '{w.Line.Text}'"));
        precision.ShouldBeGreaterThanOrEqualTo(0.95, string.Join(" | ", wrong.Select(w => $"{w.Hit.Code} on {w.Line.Text}")));
    }

    [Fact]
    public void NearMissControlsStayUnderTheD3BarAndSeedControlsNeverFlag()
    {
        var negatives = LabelledSet.Lines.Where(l => NegativeGroups.Contains(l.Group)).ToList();
        var flagged = negatives.Where(l => Hits(l).Any(h => h.Kind == RuleKind.Taboo)).ToList();
        var rate = (double)flagged.Count / negatives.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"near-miss lines {negatives.Count}, flagged {flagged.Count} ({rate:P1})"));
        var detail = flagged.Select(l => $"{l.Group} '{l.Text}' -> {string.Join(",", Hits(l).Select(h => h.Code + "/" + h.Mode))}").ToList();
        detail.ForEach(output.WriteLine);
        flagged.ShouldNotContain(l => l.Group == "nearmiss-seed" || l.Group == "negated", string.Join(" | ", detail));
        rate.ShouldBeLessThanOrEqualTo(0.02, string.Join(" | ", detail));
    }

    [Fact]
    public void CustomerLinesWithTabooWordsRaiseNoAgentHits()
    {
        foreach (var line in LabelledSet.Lines.Where(l => l.Speaker == Speaker.Customer))
        {
            fixture.Engine.Screen(line.Text, Speaker.Customer).ShouldNotContain(h => h.Kind == RuleKind.Taboo);
        }
    }

    [Fact]
    public void RecallUnderTheRecognizerNoiseModelMeetsTheNinetyPercentBar()
    {
        var noise = new RecognizerNoise(fixture.Catalog.Tables, seed: 20261125);
        var sources = fixture.Catalog.FileEntries.Where(e => e.Rule.Kind == RuleKind.Taboo)
            .SelectMany(e => e.Entry.Forms.Select(f => (Text: f, Code: e.Rule.Code)))
            .Concat(LabelledSet.Lines.Where(l => l.Group is "paraphrase" or "fixture").Select(l => (l.Text, Code: l.Expected[0])))
            .ToList();
        var byKind = new Dictionary<RecognizerNoise.ErrorKind, (int Total, int Found)>();
        var missed = new List<string>();
        foreach (var (text, code) in sources)
        {
            for (var variant = 0; variant < 5; variant++)
            {
                var (kind, noisy) = noise.Corrupt(text);
                var found = fixture.Engine.Screen(noisy, Speaker.Agent).Any(h => h.Code == code);
                var (total, ok) = byKind.GetValueOrDefault(kind);
                byKind[kind] = (total + 1, ok + (found ? 1 : 0));
                if (!found)
                {
                    missed.Add($"{code} {kind} '{noisy}'");
                }
            }
        }

        var all = byKind.Values.Sum(v => v.Total);
        var recall = (double)byKind.Values.Sum(v => v.Found) / all;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"noisy variants {all}, recall {recall:P1}"));
        foreach (var (kind, (total, ok)) in byKind.OrderBy(k => k.Key))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind}: {ok}/{total} ({(double)ok / total:P1})"));
        }

        missed.ForEach(output.WriteLine);
        recall.ShouldBeGreaterThanOrEqualTo(0.90);
    }

    private IReadOnlyList<ScreeningHit> Hits(LabelledLine line) => fixture.Engine.Screen(line.Text, line.Speaker);
}
