namespace CallCenter.Telephony.Sip;

/// <summary>The parts of a sip:, sips: or tel: URI we act on (RFC 3261 §19.1, RFC 3966).</summary>
public sealed record SipUri(string Scheme, string? User, string Host, int? Port, IReadOnlyDictionary<string, string?> Parameters, string? Headers)
{
    public static bool IsSupportedScheme(string scheme) =>
        scheme.Equals("sip", StringComparison.OrdinalIgnoreCase) || scheme.Equals("sips", StringComparison.OrdinalIgnoreCase)
        || scheme.Equals("tel", StringComparison.OrdinalIgnoreCase);

    /// <summary>Scheme of any absolute URI ("scheme:..."), or null when there is none.</summary>
    public static string? SchemeOf(string uri)
    {
        var colon = uri.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        var scheme = uri[..colon];
        if (!char.IsAsciiLetter(scheme[0]))
        {
            return null;
        }

        foreach (var c in scheme)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return null;
            }
        }

        return scheme;
    }

    public static bool TryParse(string text, out SipUri uri)
    {
        uri = null!;
        var scheme = SchemeOf(text);
        if (scheme is null || !IsSupportedScheme(scheme) || text.Any(char.IsWhiteSpace))
        {
            return false;
        }

        var rest = text[(scheme.Length + 1)..];
        var parameters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (scheme.Equals("tel", StringComparison.OrdinalIgnoreCase))
        {
            var semi = rest.IndexOf(';', StringComparison.Ordinal);
            var number = semi < 0 ? rest : rest[..semi];
            if (number.Length == 0 || (semi >= 0 && !SipText.TryParseParams(rest[(semi + 1)..], parameters)))
            {
                return false;
            }

            uri = new SipUri("tel", SipText.Unescape(number), "", null, parameters, null);
            return true;
        }

        // The user part may itself contain ';', '?' and ':' (RFC 4475 semiuri, intmeth): split at the last '@'.
        var at = rest.LastIndexOf('@');
        string? user = null;
        var hostPart = rest;
        if (at >= 0)
        {
            user = rest[..at];
            var pwd = user.IndexOf(':', StringComparison.Ordinal);
            if (pwd >= 0)
            {
                user = user[..pwd];
            }

            user = SipText.Unescape(user);
            hostPart = rest[(at + 1)..];
        }

        string? headers = null;
        var q = hostPart.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            headers = hostPart[(q + 1)..];
            hostPart = hostPart[..q];
        }

        var paramStart = hostPart.IndexOf(';', StringComparison.Ordinal);
        var hostPort = paramStart < 0 ? hostPart : hostPart[..paramStart];
        if (paramStart >= 0 && !SipText.TryParseParams(hostPart[(paramStart + 1)..], parameters))
        {
            return false;
        }

        if (!TrySplitHostPort(hostPort, out var host, out var port))
        {
            return false;
        }

        uri = new SipUri(scheme.ToLowerInvariant(), user, host, port, parameters, headers);
        return true;
    }

    public static bool TrySplitHostPort(string hostPort, out string host, out int? port)
    {
        host = hostPort;
        port = null;
        if (hostPort.Length == 0)
        {
            return false;
        }

        if (hostPort[0] == '[')
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = hostPort[..(close + 1)];
            var after = hostPort[(close + 1)..];
            if (after.Length == 0)
            {
                return true;
            }

            return after[0] == ':' && TryPort(after[1..], out port);
        }

        var colon = hostPort.LastIndexOf(':');
        if (colon >= 0)
        {
            host = hostPort[..colon];
            if (!TryPort(hostPort[(colon + 1)..], out port))
            {
                return false;
            }
        }

        return host.Length > 0 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
    }

    private static bool TryPort(string s, out int? port)
    {
        port = null;
        if (s.Length is 0 or > 5 || !s.All(char.IsAsciiDigit))
        {
            return false;
        }

        var p = int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        if (p is < 1 or > 65535)
        {
            return false;
        }

        port = p;
        return true;
    }
}
