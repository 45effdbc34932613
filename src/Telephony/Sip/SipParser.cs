using System.Globalization;
using System.Text;

namespace CallCenter.Telephony.Sip;

public enum SipParseOutcome
{
    Message,
    KeepAlive,
    /// <summary>Malformed; answered with <see cref="SipParseResult.RejectStatus"/> when a request has enough headers.</summary>
    Rejected,
    /// <summary>Stream transports only: more bytes needed.</summary>
    Incomplete,
}

public sealed record SipParseResult(SipParseOutcome Outcome, SipMessage? Message, int RejectStatus, string? Error, int Consumed)
{
    /// <summary>A request parsed far enough to be answered (Via, From, To, Call-ID, CSeq present).</summary>
    public SipRequest? Answerable => Message is SipRequest r && r.Get("Via") is not null && r.Get("From") is not null
        && r.Get("To") is not null && r.Get("Call-ID") is not null && r.Get("CSeq") is not null ? r : null;
}

/// <summary>
/// RFC 3261 §7 message parser. Accepts what the grammar allows (compact names, folding, LWS around ':'),
/// rejects the rest with a reason; never throws on input and never allocates from a declared length first.
/// </summary>
public static class SipParser
{
    public const int MaxHeaderBytes = 16 * 1024;
    public const int MaxHeaders = 100;
    public const int MaxHeaderValue = 8 * 1024;

    private static readonly Dictionary<string, string> Compact = new(StringComparer.OrdinalIgnoreCase)
    {
        ["i"] = "Call-ID", ["m"] = "Contact", ["e"] = "Content-Encoding", ["l"] = "Content-Length",
        ["c"] = "Content-Type", ["f"] = "From", ["s"] = "Subject", ["k"] = "Supported", ["t"] = "To",
        ["v"] = "Via", ["o"] = "Event", ["r"] = "Refer-To", ["b"] = "Referred-By", ["u"] = "Allow-Events",
        ["x"] = "Session-Expires", ["a"] = "Accept-Contact", ["j"] = "Reject-Contact", ["d"] = "Request-Disposition",
        ["y"] = "Identity", ["n"] = "Identity-Info",
    };

    // Canonical spelling for the headers we read, so lookups and our own responses look tidy.
    private static readonly Dictionary<string, string> Canonical = new[]
    {
        "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length", "Content-Type", "Max-Forwards",
        "Record-Route", "Route", "Require", "Proxy-Require", "Supported", "Accept", "Allow", "Expires", "Date",
        "User-Agent", "Subject", "Content-Encoding", "Reason",
    }.ToDictionary(n => n, n => n, StringComparer.OrdinalIgnoreCase);

    private static readonly string[] SingleValued = ["From", "To", "Call-ID", "CSeq", "Max-Forwards", "Content-Length", "Content-Type"];

    public static SipParseResult Parse(ReadOnlySpan<byte> data, bool stream = false)
    {
        var start = 0;
        while (start + 1 < data.Length && data[start] == '\r' && data[start + 1] == '\n')
        {
            start += 2; // leading CRLFs are keep-alives (RFC 5626 §3.5.1) or noise before a message (RFC 3261 §7.5)
        }

        if (start == data.Length || (start > 0 && data[start..].Trim((byte)'\n').Trim((byte)'\r').IsEmpty))
        {
            return new SipParseResult(SipParseOutcome.KeepAlive, null, 0, null, data.Length);
        }

        var body = data[start..];
        var headerEnd = body.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
        {
            return body.Length > MaxHeaderBytes || !stream
                ? Reject(null, 0, "no end of headers", data.Length)
                : new SipParseResult(SipParseOutcome.Incomplete, null, 0, null, 0);
        }

        if (headerEnd > MaxHeaderBytes)
        {
            return Reject(null, 0, "header section too large", data.Length);
        }

        // Non-UTF-8 bytes become replacement characters; the structure is ASCII anyway.
        var text = Encoding.UTF8.GetString(body[..headerEnd]);
        var lines = Unfold(text);
        if (lines.Count == 0 || lines.Count > MaxHeaders + 1)
        {
            return Reject(null, 0, "too many header lines", data.Length);
        }

        var message = ParseStartLine(lines[0], out var status, out var error);
        if (message is null)
        {
            return Reject(null, status, error, data.Length);
        }

        var badVersion = status == 505;

        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return Reject(message, 400, "header line without a name", data.Length);
            }

            var name = line[..colon].TrimEnd(' ', '\t');
            if (!SipText.IsToken(name))
            {
                return Reject(message, 400, "invalid header name", data.Length);
            }

            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (value.Length > MaxHeaderValue)
            {
                return Reject(message, 400, "header value too long", data.Length);
            }

            name = Compact.TryGetValue(name, out var longName) ? longName : Canonical.TryGetValue(name, out var canon) ? canon : name;
            message.Headers.Add(new SipHeader(name, value));
        }

        if (badVersion)
        {
            return Reject(message, 505, error, data.Length);
        }

        var bodyStart = start + headerEnd + 4;
        var available = data.Length - bodyStart;
        var check = Validate(message, available, stream, out var contentLength);
        if (check is not null)
        {
            return Reject(message, 400, check, data.Length);
        }

        if (contentLength > available)
        {
            if (stream)
            {
                return new SipParseResult(SipParseOutcome.Incomplete, null, 0, null, 0);
            }

            // RFC 3261 §18.3: a datagram ending before the body is an error (RFC 4475 clerr).
            return Reject(message, 400, "Content-Length larger than the message", data.Length);
        }

        message.Body = data.Slice(bodyStart, contentLength).ToArray();
        // Octets after the declared body are ignored on datagrams (RFC 4475 dblreq).
        var consumed = stream ? bodyStart + contentLength : data.Length;
        return new SipParseResult(SipParseOutcome.Message, message, 0, null, consumed);
    }

    private static SipParseResult Reject(SipMessage? m, int status, string? error, int consumed) =>
        new(SipParseOutcome.Rejected, m, status == 0 ? 400 : status, error, consumed);

    private static List<string> Unfold(string text)
    {
        var lines = new List<string>();
        foreach (var raw in text.Split("\r\n"))
        {
            if (raw.Length > 0 && (raw[0] == ' ' || raw[0] == '\t') && lines.Count > 0)
            {
                lines[^1] = lines[^1] + " " + raw.Trim(' ', '\t');
            }
            else
            {
                lines.Add(raw);
            }
        }

        return lines;
    }

    private static SipMessage? ParseStartLine(string line, out int status, out string? error)
    {
        status = 400;
        error = null;
        if (line.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
        {
            // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase; an empty reason is allowed (RFC 4475 noreason).
            var parts = line.Split(' ', 3);
            if (parts.Length < 2 || !parts[0].Equals("SIP/2.0", StringComparison.OrdinalIgnoreCase)
                || parts[1].Length != 3 || !parts[1].All(char.IsAsciiDigit))
            {
                error = "bad status line";
                return null;
            }

            var code = int.Parse(parts[1], CultureInfo.InvariantCulture);
            if (code is < 100 or > 699)
            {
                error = "status code out of range";
                return null;
            }

            return new SipResponse(code, parts.Length == 3 ? parts[2] : "");
        }

        var p = line.Split(' ');
        if (p.Length != 3 || p.Any(x => x.Length == 0))
        {
            error = "request line must be 'Method SP Request-URI SP SIP/2.0'";
            return null;
        }

        if (!SipText.IsToken(p[0]))
        {
            error = "invalid method";
            return null;
        }

        if (p[1].Contains('<', StringComparison.Ordinal) || p[1].Contains('>', StringComparison.Ordinal)
            || SipUri.SchemeOf(p[1]) is null)
        {
            error = "invalid Request-URI";
            return null;
        }

        if (!p[2].Equals("SIP/2.0", StringComparison.OrdinalIgnoreCase))
        {
            // Parsed so the caller can answer 505 (RFC 4475 badvers).
            status = p[2].StartsWith("SIP/", StringComparison.OrdinalIgnoreCase) ? 505 : 400;
            error = "unsupported SIP version";
            return status == 505 ? new SipRequest(p[0], p[1]) : null;
        }

        return new SipRequest(p[0], p[1]);
    }

    private static string? Validate(SipMessage m, int available, bool stream, out int contentLength)
    {
        contentLength = 0;
        foreach (var name in SingleValued)
        {
            if (m.Count(name) > 1)
            {
                return "more than one " + name;
            }
        }

        foreach (var name in new[] { "Via", "From", "To", "Call-ID", "CSeq" })
        {
            if (m.Get(name) is null)
            {
                return "missing " + name;
            }
        }

        if (m.Get("Content-Length") is { } cl)
        {
            if (cl.Length is 0 or > 9 || !cl.All(char.IsAsciiDigit))
            {
                return "bad Content-Length";
            }

            contentLength = int.Parse(cl, CultureInfo.InvariantCulture);
        }
        else if (stream)
        {
            return "Content-Length is required on stream transports";
        }
        else
        {
            contentLength = available; // UDP: the body runs to the end of the datagram
        }

        var cseq = m.Get("CSeq")!.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (cseq.Length != 2 || cseq[0].Length > 10 || !cseq[0].All(char.IsAsciiDigit)
            || long.Parse(cseq[0], CultureInfo.InvariantCulture) > int.MaxValue || !SipText.IsToken(cseq[1]))
        {
            return "bad CSeq";
        }

        if (m is SipRequest req && !string.Equals(cseq[1], req.Method, StringComparison.Ordinal))
        {
            return "CSeq method does not match the request method";
        }

        if (m.Get("Max-Forwards") is { } mf && (mf.Length is 0 or > 9 || !mf.All(char.IsAsciiDigit) || int.Parse(mf, CultureInfo.InvariantCulture) > 255))
        {
            return "bad Max-Forwards";
        }

        if (m.Get("Expires") is { } ex && (ex.Length is 0 or > 10 || !ex.All(char.IsAsciiDigit) || long.Parse(ex, CultureInfo.InvariantCulture) > uint.MaxValue))
        {
            return "bad Expires";
        }

        if (m.Get("Date") is { } date && !date.TrimEnd().EndsWith("GMT", StringComparison.Ordinal))
        {
            return "Date must be in GMT (RFC 3261 §20.17)";
        }

        foreach (var via in m.GetAll("Via"))
        {
            if (!ViaHeader.TryParse(via, out _))
            {
                return "bad Via";
            }
        }

        if (!NameAddress.TryParse(m.Get("From")!, out _) || !NameAddress.TryParse(m.Get("To")!, out _))
        {
            return "bad From or To";
        }

        foreach (var contact in m.GetAll("Contact"))
        {
            if (contact != "*" && !NameAddress.TryParse(contact, out _))
            {
                return "bad Contact";
            }
        }

        return null;
    }

    /// <summary>Stream framing: length of the first complete message in <paramref name="buffer"/>, 0 if incomplete, -1 if invalid.</summary>
    public static int FrameLength(ReadOnlySpan<byte> buffer)
    {
        var headerEnd = buffer.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
        {
            return buffer.Length > MaxHeaderBytes ? -1 : 0;
        }

        var head = Encoding.ASCII.GetString(buffer[..headerEnd]);
        var length = 0;
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("l", StringComparison.OrdinalIgnoreCase))
            {
                var v = line[(colon + 1)..].Trim();
                if (v.Length is 0 or > 9 || !v.All(char.IsAsciiDigit))
                {
                    return -1;
                }

                length = int.Parse(v, CultureInfo.InvariantCulture);
            }
        }

        var total = headerEnd + 4 + length;
        return buffer.Length >= total ? total : 0;
    }
}
