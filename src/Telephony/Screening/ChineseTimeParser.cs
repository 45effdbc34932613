using System.Text.RegularExpressions;

namespace CallCenter.Telephony.Screening;

/// <summary>A time expression found in a sentence and the moment it names (in the call's time zone).</summary>
public sealed record TimeExpression(int Start, int Length, string Text, DateTimeOffset At);

/// <summary>
/// Parses the time expressions agents use in promises: relative (10分钟后, 半小时内, 一个半小时, 两天内, 3个工作日内)
/// and absolute (今天下午, 明天上午, 下午三点前, 后天, 周一, 下周三上午十点半). A period without an hour means its end
/// (lexicon.json promiseTime); a past time without a day rolls to the next day.
/// </summary>
public sealed partial class ChineseTimeParser(PromiseTimeSettings settings)
{
    private const string Num = "[0-9０-９零〇一二两三四五六七八九十百]+";

    [GeneratedRegex("(?:(?<n>" + Num + ")(?:个)?(?<half>半)?|(?<half>半))(?:个)?(?<unit>分钟|分|小时|钟头|天|工作日)(?<suffix>以内|之内|内|之后|以后|后|左右)?")]
    private static partial Regex RelativePattern();

    [GeneratedRegex("(?<day>大后天|后天|明天|明日|今天|今日|(?<next>下)?(?:个)?(?:周|星期|礼拜)(?<wd>[一二三四五六日天1-7]))?(?<period>早上|上午|中午|下午|傍晚|晚上|今晚)?(?:(?<h>" + Num + ")(?:点|时)(?:钟)?(?<m>半|一刻|三刻|(?<mn>" + Num + ")分?)?)?(?<before>之前|以前|前)?")]
    private static partial Regex AbsolutePattern();

    public IReadOnlyList<TimeExpression> Parse(string sentence, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var found = new List<TimeExpression>();
        foreach (Match m in RelativePattern().Matches(sentence))
        {
            if (TryRelative(m, now) is { } at)
            {
                found.Add(new TimeExpression(m.Index, m.Length, m.Value, at));
            }
        }

        foreach (Match m in AbsolutePattern().Matches(sentence))
        {
            if (m.Length == 0 || found.Exists(f => f.Start < m.Index + m.Length && m.Index < f.Start + f.Length))
            {
                continue;
            }

            if (TryAbsolute(m, now) is { } at)
            {
                found.Add(new TimeExpression(m.Index, m.Length, m.Value, at));
            }
        }

        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        return found;
    }

    private static DateTimeOffset? TryRelative(Match m, DateTimeOffset now)
    {
        var half = m.Groups["half"].Success ? 0.5 : 0;
        var n = 0;
        if (m.Groups["n"].Success && !ChineseNumerals.TryParse(m.Groups["n"].ValueSpan, out n))
        {
            return null;
        }

        var amount = n + half;
        var unit = m.Groups["unit"].Value;
        if (amount <= 0 || (unit is "分" or "天" or "工作日" && !m.Groups["suffix"].Success))
        {
            return null; // "十分" alone is "very"; "第一天" is not a deadline
        }

        return unit switch
        {
            "分钟" or "分" => now.AddMinutes(amount),
            "小时" or "钟头" => now.AddMinutes(amount * 60),
            "天" => now.AddDays(amount),
            _ => AddWorkingDays(now, (int)Math.Ceiling(amount)),
        };
    }

    private DateTimeOffset? TryAbsolute(Match m, DateTimeOffset now)
    {
        var hasDay = m.Groups["day"].Success;
        var period = m.Groups["period"].Success ? m.Groups["period"].Value : null;
        var hasHour = m.Groups["h"].Success;
        if (!hasDay && period is null && !hasHour)
        {
            return null;
        }

        var date = DateOnly.FromDateTime(now.DateTime);
        if (hasDay)
        {
            date = DayOf(m, date);
        }

        TimeOnly time;
        if (hasHour)
        {
            if (!ChineseNumerals.TryParse(m.Groups["h"].ValueSpan, out var hour) || hour > 24)
            {
                return null;
            }

            if (!hasDay && period is null && !m.Groups["m"].Success && !m.Groups["before"].Success && m.Groups["h"].Value == "一")
            {
                return null; // "快一点" is "a bit faster", not one o'clock
            }

            var minute = 0;
            if (m.Groups["m"].Success)
            {
                minute = m.Groups["m"].Value switch
                {
                    "半" => 30,
                    "一刻" => 15,
                    "三刻" => 45,
                    _ => ChineseNumerals.TryParse(m.Groups["mn"].ValueSpan, out var mm) && mm < 60 ? mm : -1,
                };
                if (minute < 0)
                {
                    return null;
                }
            }

            // Afternoon and evening hours, and a bare "三点" in business hours, are after noon.
            if (hour < 12 && (period is "下午" or "傍晚" or "晚上" or "今晚" || (period is null && hour <= 7) || (period == "中午" && hour <= 2)))
            {
                hour += 12;
            }

            time = new TimeOnly(hour % 24, minute);
        }
        else
        {
            time = PromiseTimeSettings.Parse(period switch
            {
                "早上" or "上午" => settings.MorningEnd,
                "中午" => settings.NoonEnd,
                "下午" or "傍晚" => settings.AfternoonEnd,
                "晚上" or "今晚" => settings.EveningEnd,
                _ => settings.DayEnd,
            });
        }

        var at = new DateTimeOffset(date.ToDateTime(time), now.Offset);
        if (!hasDay && at <= now)
        {
            at = at.AddDays(1); // "下午三点前" said at 16:00 means tomorrow
        }

        return at;
    }

    private static DateOnly DayOf(Match m, DateOnly today)
    {
        var day = m.Groups["day"].Value;
        if (!m.Groups["wd"].Success)
        {
            return day switch
            {
                "明天" or "明日" => today.AddDays(1),
                "后天" => today.AddDays(2),
                "大后天" => today.AddDays(3),
                _ => today,
            };
        }

        var wd = m.Groups["wd"].Value switch
        {
            "一" or "1" => DayOfWeek.Monday,
            "二" or "2" => DayOfWeek.Tuesday,
            "三" or "3" => DayOfWeek.Wednesday,
            "四" or "4" => DayOfWeek.Thursday,
            "五" or "5" => DayOfWeek.Friday,
            "六" or "6" => DayOfWeek.Saturday,
            _ => DayOfWeek.Sunday,
        };
        var isoToday = ((int)today.DayOfWeek + 6) % 7;
        var isoTarget = ((int)wd + 6) % 7;
        if (m.Groups["next"].Success)
        {
            return today.AddDays(7 - isoToday + isoTarget); // the named day of next week (weeks start on Monday)
        }

        var ahead = (isoTarget - isoToday + 7) % 7;
        return today.AddDays(ahead == 0 ? 7 : ahead);
    }

    // Weekends only: public holidays and 调休 workdays belong to the callbacks' working calendar.
    private static DateTimeOffset AddWorkingDays(DateTimeOffset from, int days)
    {
        var at = from;
        while (days > 0)
        {
            at = at.AddDays(1);
            if (at.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                days--;
            }
        }

        return at;
    }
}
