using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CallCenter.Telephony.Screening;

/// <summary>Counts of one sync of the rule files into <c>screening_rules</c>.</summary>
public sealed record RuleSyncResult(int Inserted, int Updated, int Unchanged, int KeptAdminEdits);

/// <summary>
/// Keeps <c>screening_rules</c> in step with the rule files. Seeded rows carry <c>updated_by = 'seed'</c>:
/// a file rule is inserted when its code is new, and replaces a seeded row only when the file's version is higher.
/// A row an admin edited (any other <c>updated_by</c>; the editor bumps <c>version</c>) is never overwritten — the
/// sync logs that the file has a newer version instead, so the admin can merge by hand. Rows are never deleted.
/// </summary>
public sealed partial class ScreeningRuleStore(NpgsqlDataSource dataSource, ILogger<ScreeningRuleStore> logger)
{
    public const string SeedAuthor = "seed";

    public async Task<RuleSyncResult> SyncAsync(IEnumerable<ScreeningRule> fileRules, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fileRules);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var existing = (await conn.QueryAsync<(string Code, int Version, string? UpdatedBy)>(new CommandDefinition(
            "SELECT code, version, updated_by FROM screening_rules FOR UPDATE", transaction: tx, cancellationToken: ct)))
            .ToDictionary(r => r.Code, StringComparer.Ordinal);
        int inserted = 0, updated = 0, unchanged = 0, kept = 0;
        foreach (var rule in fileRules)
        {
            if (existing.TryGetValue(rule.Code, out var row))
            {
                if (row.Version >= rule.Version)
                {
                    unchanged++;
                    continue;
                }

                if (row.UpdatedBy != SeedAuthor)
                {
                    kept++;
                    LogKeptAdminEdit(logger, rule.Code, row.Version, rule.Version, row.UpdatedBy);
                    continue;
                }
            }

            var sql = """
                INSERT INTO screening_rules (code, kind, speaker, phrase, pattern, match_mode, category, severity, replacement,
                                             exceptions, source, enabled, version, updated_at, updated_by)
                VALUES (@Code, @Kind, @Speaker, @Phrase, @Pattern, @Mode, @Category, @Severity, @Replacement,
                        @Exceptions, @Source, true, @Version, now(), @Author)
                ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind, speaker = EXCLUDED.speaker, phrase = EXCLUDED.phrase,
                    pattern = EXCLUDED.pattern, match_mode = EXCLUDED.match_mode, category = EXCLUDED.category,
                    severity = EXCLUDED.severity, replacement = EXCLUDED.replacement, exceptions = EXCLUDED.exceptions,
                    source = EXCLUDED.source, version = EXCLUDED.version, updated_at = now(), updated_by = EXCLUDED.updated_by
                WHERE screening_rules.updated_by = @Author AND screening_rules.version < EXCLUDED.version
                """;
            await conn.ExecuteAsync(new CommandDefinition(sql, new
            {
                rule.Code,
                Kind = ScreeningRule.KindText(rule.Kind),
                Speaker = ScreeningRule.SpeakerText(rule.Speaker),
                rule.Phrase,
                rule.Pattern,
                Mode = ScreeningRule.ModeText(rule.MatchMode),
                rule.Category,
                rule.Severity,
                rule.Replacement,
                Exceptions = rule.Exceptions.ToArray(),
                rule.Source,
                rule.Version,
                Author = SeedAuthor,
            }, tx, cancellationToken: ct));
            if (existing.ContainsKey(rule.Code))
            {
                updated++;
            }
            else
            {
                inserted++;
            }
        }

        await tx.CommitAsync(ct);
        var result = new RuleSyncResult(inserted, updated, unchanged, kept);
        LogSynced(logger, result.Inserted, result.Updated, result.Unchanged, result.KeptAdminEdits);
        return result;
    }

    /// <summary>Enabled and disabled rows as rules; a row that does not compile is skipped with a log line.</summary>
    public async Task<IReadOnlyList<ScreeningRule>> LoadAsync(TextNormalizer normalizer, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<RuleRow>(new CommandDefinition("""
            SELECT id, code, kind, speaker, phrase, pattern, match_mode AS MatchMode, category, severity, replacement,
                   exceptions, source, enabled, version
            FROM screening_rules ORDER BY code
            """, cancellationToken: ct));
        var rules = new List<ScreeningRule>();
        foreach (var row in rows)
        {
            try
            {
                var rule = new ScreeningRule(row.Code, ScreeningRule.ParseKind(row.Kind), ScreeningRule.ParseSpeaker(row.Speaker),
                    row.Phrase, row.Pattern ?? row.Phrase, ScreeningRule.ParseMode(row.MatchMode), row.Category, row.Severity,
                    row.Replacement, row.Exceptions ?? [], row.Source, row.Enabled, row.Version, row.Id);
                _ = CompiledRule.Create(rule, normalizer);
                rules.Add(rule);
            }
            catch (FormatException ex)
            {
                LogBadRow(logger, row.Code, ex.Message);
            }
        }

        return rules;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Screening rules synced from files: {Inserted} inserted, {Updated} updated, {Unchanged} unchanged, {KeptAdminEdits} admin edits kept")]
    private static partial void LogSynced(ILogger logger, int inserted, int updated, int unchanged, int keptAdminEdits);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Screening rule {Code} was edited by {UpdatedBy} (version {DbVersion}); the file's version {FileVersion} is not applied")]
    private static partial void LogKeptAdminEdit(ILogger logger, string code, int dbVersion, int fileVersion, string? updatedBy);

    [LoggerMessage(Level = LogLevel.Error, Message = "Screening rule {Code} in the database is invalid and is skipped: {Reason}")]
    private static partial void LogBadRow(ILogger logger, string code, string reason);

    // A class, not a positional record: Dapper hands text[] to constructors as System.Array.
    private sealed class RuleRow
    {
        public int Id { get; set; }

        public string Code { get; set; } = "";

        public string Kind { get; set; } = "";

        public string Speaker { get; set; } = "";

        public string Phrase { get; set; } = "";

        public string? Pattern { get; set; }

        public string MatchMode { get; set; } = "";

        public string? Category { get; set; }

        public string? Severity { get; set; }

        public string? Replacement { get; set; }

        public string[]? Exceptions { get; set; }

        public string? Source { get; set; }

        public bool Enabled { get; set; }

        public int Version { get; set; }
    }
}
