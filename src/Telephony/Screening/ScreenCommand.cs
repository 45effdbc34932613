using System.Globalization;

namespace CallCenter.Telephony.Screening;

/// <summary>
/// Command-line screening on the rule files, no database needed: <c>screen "TEXT"</c>, <c>screen --file lines.txt</c>,
/// optionally <c>--speaker customer</c>. Exit code 0 = no taboo or cue hits, 1 = such hits found (required-phrase and promise hits are listed too), 2 = bad arguments, 3 = unreadable input or rules.
/// </summary>
public static class ScreenCommand
{
    private const string Usage = "usage: screen [--speaker agent|customer] \"TEXT\" | screen [--speaker agent|customer] --file lines.txt";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var rest = args.SkipWhile(a => a == "screen").ToList();
        var speaker = Speaker.Agent;
        string? file = null;
        var words = new List<string>();
        for (var i = 0; i < rest.Count; i++)
        {
            switch (rest[i])
            {
                case "--speaker" when i + 1 < rest.Count && rest[i + 1] is "agent" or "customer":
                    speaker = rest[++i] == "agent" ? Speaker.Agent : Speaker.Customer;
                    break;
                case "--file" when i + 1 < rest.Count:
                    file = rest[++i];
                    break;
                case "--help" or "-h":
                    await output.WriteLineAsync(Usage);
                    return 0;
                default:
                    if (rest[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        await output.WriteLineAsync($"unknown or incomplete option {rest[i]}; {Usage}");
                        return 2;
                    }

                    words.Add(rest[i]);
                    break;
            }
        }

        if ((file is null) == (words.Count == 0))
        {
            await output.WriteLineAsync(Usage);
            return 2;
        }

        string[] lines;
        ScreeningEngine engine;
        try
        {
            lines = file is null ? [string.Join(' ', words)] : await File.ReadAllLinesAsync(file);
            engine = new ScreeningCatalog().CreateEngine();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            await output.WriteLineAsync($"cannot screen: {ex.Message}");
            return 3;
        }

        var total = 0;
        for (var n = 0; n < lines.Length; n++)
        {
            if (string.IsNullOrWhiteSpace(lines[n]))
            {
                continue;
            }

            var hits = engine.Screen(lines[n], speaker);
            var alerts = hits.Count(h => h.Kind is RuleKind.Taboo or RuleKind.CustomerCue);
            total += alerts;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{n + 1}: {(alerts == 0 ? "no alerts" : $"{alerts} alert(s)")}  {lines[n]}"));
            foreach (var h in hits)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"   {h.Code} v{h.Version} {ScreeningRule.KindText(h.Kind)} {h.Severity ?? "-"} {h.Category ?? "-"} {ScreeningRule.ModeText(h.Mode)} {h.Confidence:0.00} \"{h.MatchedText}\" @{h.Start}+{h.Length}  [{h.Source}]"));
                if (h.Replacement is not null && h.Kind == RuleKind.Taboo)
                {
                    await output.WriteLineAsync($"      instead: {h.Replacement}");
                }
            }
        }

        return total == 0 ? 0 : 1;
    }
}
