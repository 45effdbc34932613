using System.Reflection;

namespace CallCenter.Telephony.Screening;

/// <summary>Reads the rule files and generated tables embedded in this assembly (see Data/LICENSES.md).</summary>
public static class ScreeningData
{
    public static readonly string[] RuleFiles = ["taboo.json", "required.json", "customer-cues.json", "promises.json"];

    public static string ReadRuleFile(string name) => Read("Screening.Rules." + name);

    public static string ReadTable(string name) => Read("Screening.Data." + name);

    private static string Read(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new FileNotFoundException($"embedded screening resource '{resource}' is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Lines of a generated table without comments and blanks.</summary>
    public static IEnumerable<string> TableLines(string name) =>
        ReadTable(name).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && l[0] != '#');
}
