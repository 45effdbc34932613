using System.Text.RegularExpressions;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Transcription;

/// <summary>The engine reads as a standalone library: nothing under Transcription/ names the rest of Telephony.</summary>
public sealed partial class TranscriptionBoundaryTests
{
    [Fact]
    public void TranscriptionSourcesReferenceNothingElseInTelephony()
    {
        var folder = Path.Combine(TestEnvironment.RepositoryRoot, "src", "Telephony", "Transcription");
        var files = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories);
        files.Length.ShouldBeGreaterThan(10);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Outside().Matches(text).Select(m => m.Value).ShouldBeEmpty(file);
            Sibling().Matches(text).Select(m => m.Value).ShouldBeEmpty(file);
        }
    }

    [GeneratedRegex(@"CallCenter\.Telephony\.(?!Transcription\b)\w+")]
    private static partial Regex Outside();

    [GeneratedRegex(@"\b(Calls|Sip|Media|Routing|Screening|TelephonyOptions|TelephonyModule|CallEventBus)\b\.?")]
    private static partial Regex Sibling();
}
