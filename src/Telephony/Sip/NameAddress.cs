namespace CallCenter.Telephony.Sip;

/// <summary>From/To/Contact value: optional display name, the URI, header parameters (RFC 3261 §20.10).</summary>
public sealed record NameAddress(string? DisplayName, string Uri, IReadOnlyDictionary<string, string?> Parameters)
{
    public string? Tag => Parameters.TryGetValue("tag", out var t) ? t : null;

    public static bool TryParse(string value, out NameAddress result)
    {
        result = null!;
        var s = value.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        string? display = null;
        string uri;
        string rest;
        var lt = IndexOfUnquoted(s, '<');
        if (lt >= 0)
        {
            var dn = s[..lt].Trim();
            if (dn.Length > 0)
            {
                if (dn[0] == '"')
                {
                    if (!TryUnquote(dn, out display))
                    {
                        return false;
                    }
                }
                else
                {
                    // An unquoted display name is a sequence of tokens (RFC 4475 baddn).
                    foreach (var word in dn.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (!SipText.IsToken(word))
                        {
                            return false;
                        }
                    }

                    display = dn;
                }
            }

            var gt = s.IndexOf('>', lt);
            if (gt < 0)
            {
                return false;
            }

            uri = s[(lt + 1)..gt];
            // No whitespace inside the brackets (RFC 4475 badaspec).
            if (uri.Length == 0 || uri.Any(char.IsWhiteSpace))
            {
                return false;
            }

            rest = s[(gt + 1)..].Trim();
        }
        else
        {
            if (s[0] == '"' || s.Contains('>', StringComparison.Ordinal))
            {
                return false;
            }

            // addr-spec form: parameters after the URI belong to the header, and the URI may carry no
            // headers or ',' (RFC 3261 §20, RFC 4475 regbadct).
            var semi = s.IndexOf(';', StringComparison.Ordinal);
            uri = (semi < 0 ? s : s[..semi]).TrimEnd();
            rest = semi < 0 ? "" : s[semi..];
            if (uri.Contains('?', StringComparison.Ordinal) || uri.Contains(',', StringComparison.Ordinal) || uri.Any(char.IsWhiteSpace))
            {
                return false;
            }
        }

        if (SipUri.SchemeOf(uri) is null)
        {
            return false;
        }

        var parameters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (rest.Length > 0)
        {
            if (rest[0] != ';' || !SipText.TryParseParams(rest[1..], parameters))
            {
                return false;
            }
        }

        result = new NameAddress(display, uri, parameters);
        return true;
    }

    private static int IndexOfUnquoted(string s, char c)
    {
        var inQuotes = false;
        for (var i = 0; i < s.Length; i++)
        {
            if (inQuotes && s[i] == '\\')
            {
                i++;
            }
            else if (s[i] == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes && s[i] == c)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool TryUnquote(string s, out string? text)
    {
        text = null;
        var sb = new System.Text.StringBuilder();
        for (var i = 1; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                sb.Append(s[++i]);
            }
            else if (s[i] == '"')
            {
                if (s[(i + 1)..].Trim().Length != 0)
                {
                    return false;
                }

                text = sb.ToString();
                return true;
            }
            else
            {
                sb.Append(s[i]);
            }
        }

        return false; // unterminated quote (RFC 4475 quotbal)
    }
}

/// <summary>One Via entry: "SIP/2.0/UDP host:port;branch=...;rport" with LWS allowed around separators.</summary>
public sealed record ViaHeader(string Transport, string Host, int? Port, IReadOnlyDictionary<string, string?> Parameters)
{
    public string? Branch => Parameters.TryGetValue("branch", out var b) ? b : null;

    /// <summary>True for an RFC 3261 branch (magic cookie and something after it).</summary>
    public bool HasRfc3261Branch => Branch is { Length: > 7 } b && b.StartsWith("z9hG4bK", StringComparison.Ordinal);

    public static bool TryParse(string value, out ViaHeader via)
    {
        via = null!;
        var semi = value.IndexOf(';', StringComparison.Ordinal);
        var sentPart = semi < 0 ? value : value[..semi];
        var slash = sentPart.Split('/');
        if (slash.Length != 3 || !slash[0].Trim().Equals("SIP", StringComparison.OrdinalIgnoreCase) || slash[1].Trim() != "2.0")
        {
            return false;
        }

        var transportAndHost = slash[2].Trim().Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
        if (transportAndHost.Length != 2 || !SipText.IsToken(transportAndHost[0]))
        {
            return false;
        }

        var hostPort = string.Concat(transportAndHost[1].Where(c => !char.IsWhiteSpace(c)));
        if (!SipUri.TrySplitHostPort(hostPort, out var host, out var port))
        {
            return false;
        }

        var parameters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (semi >= 0 && !SipText.TryParseParams(value[(semi + 1)..], parameters))
        {
            return false;
        }

        via = new ViaHeader(transportAndHost[0].ToUpperInvariant(), host, port, parameters);
        return true;
    }
}
