namespace CallCenter.Telephony;

/// <summary>Time zones by IANA id, with Asia/Shanghai known even on a host without tzdata (fixed UTC+8: China has no DST).</summary>
public static class CentreTime
{
    public static bool TryZone(string id, out TimeZoneInfo zone)
    {
        if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found))
        {
            zone = found;
            return true;
        }

        zone = id == "Asia/Shanghai" ? TimeZoneInfo.CreateCustomTimeZone(id, TimeSpan.FromHours(8), "China Standard Time", "CST") : TimeZoneInfo.Utc;
        return id == "Asia/Shanghai";
    }
}
