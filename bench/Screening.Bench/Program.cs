using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using CallCenter.Telephony.Screening;

// Time to screen one utterance with the full rule set (all rule files, every kind), plus normalisation and
// redaction alone. Prints a Markdown block for docs/benchmarks.md. Usage: dotnet run -c Release [-- rounds]
var rounds = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var r) ? r : 7;
var started = Stopwatch.StartNew();
var catalog = new ScreeningCatalog();
var loadMs = started.Elapsed.TotalMilliseconds;
var engine = catalog.CreateEngine();
var redactor = new Redactor(catalog.Lexicon, new RedactionOptions());

// Utterances: every seed form (taboo and cue), plus typical clean agent lines of telephone length.
string[] clean =
[
    "您好，很高兴为您服务，请问有什么可以帮您？",
    "您的手机还在保修期内，我们会免费为您维修，大概需要三到五个工作日。",
    "我帮您查一下这个订单的物流信息，请您稍等一下。",
    "根据保修政策,我们在您报修48小时内一定会派工程师上门为您服务。但如果您实在太急,您也可以现在把机器送到我们维修站",
    "如果还有问题可以随时和我们联系，感谢您的来电，祝您生活愉快。",
];
var utterances = catalog.FileEntries.SelectMany(e => e.Entry.Forms).Concat(clean).ToArray();
var avgChars = utterances.Average(u => u.Length);

// Wall time per call and the process's CPU time per call: on a shared machine the CPU figure is the steadier one.
(double Wall, double Cpu) Measure(Action<string> work)
{
    var walls = new List<double>();
    var cpus = new List<double>();
    var process = System.Diagnostics.Process.GetCurrentProcess();
    for (var round = 0; round < rounds; round++)
    {
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var n = 0;
        while (sw.ElapsedMilliseconds < 1000)
        {
            foreach (var u in utterances)
            {
                work(u);
                n++;
            }
        }

        walls.Add(sw.Elapsed.TotalMicroseconds / n);
        process.Refresh();
        cpus.Add((process.TotalProcessorTime - cpuBefore).TotalMicroseconds / n);
    }

    walls.Sort();
    cpus.Sort();
    return (walls[walls.Count / 2], cpus[cpus.Count / 2]);
}

var hits = 0L;
// Warm-up (JIT, tiered compilation) before measuring.
for (var i = 0; i < 20; i++)
{
    foreach (var u in utterances)
    {
        hits += engine.Screen(u, Speaker.Agent).Count;
    }
}

var agent = Measure(u => hits += engine.Screen(u, Speaker.Agent).Count);
var customer = Measure(u => hits += engine.Screen(u, Speaker.Customer).Count);
var normalize = Measure(u => hits += engine.Normalizer.Normalize(u).Text.Length);
var redact = Measure(u => hits += redactor.Redact(u).Redactions.Count);
var longText = string.Concat(Enumerable.Repeat(clean[1], 10));
var longScreen = Measure(_ => hits += engine.Screen(longText, Speaker.Agent).Count);

string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
string G((double Wall, double Cpu) m) => $"{F(m.Wall)} µs | {F(m.Cpu)} µs";
Console.WriteLine("| Measure (median of " + rounds + " one-second rounds) | Wall time per call | Process CPU time per call |");
Console.WriteLine("|---|---|---|");
Console.WriteLine($"| Screen one agent utterance (all {engine.Rules.Count} rules, avg {F(avgChars)} chars, {utterances.Length} utterances) | {G(agent)} |");
Console.WriteLine($"| Screen one customer utterance | {G(customer)} |");
Console.WriteLine($"| Normalise only (NFKC, T→S, fillers, pinyin keys) | {G(normalize)} |");
Console.WriteLine($"| Redact only | {G(redact)} |");
Console.WriteLine($"| Screen a {longText.Length}-char agent utterance | {G(longScreen)} |");
Console.WriteLine($"| Load and compile rule files and tables (once, cold) | {F(loadMs)} ms | — |");
Console.WriteLine();
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. (checksum {hits})");
