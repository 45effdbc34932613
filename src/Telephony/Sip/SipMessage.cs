using System.Globalization;
using System.Text;

namespace CallCenter.Telephony.Sip;

/// <summary>One header line as received (after unfolding); compact names are expanded to their long form.</summary>
public sealed record SipHeader(string Name, string Value);

/// <summary>A parsed SIP request or response. Headers keep their order; lookups ignore case.</summary>
public abstract class SipMessage
{
    public List<SipHeader> Headers { get; } = [];

    public byte[] Body { get; set; } = [];

    public string? this[string name] => Get(name);

    public string? Get(string name)
    {
        foreach (var h in Headers)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return h.Value;
            }
        }

        return null;
    }

    public int Count(string name) => Headers.Count(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>All values of a header, comma-separated lists split (outside quotes and angle brackets).</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        var list = new List<string>();
        foreach (var h in Headers)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                list.AddRange(SipText.SplitList(h.Value));
            }
        }

        return list;
    }

    public void Set(string name, string value)
    {
        Headers.RemoveAll(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
        Headers.Add(new SipHeader(name, value));
    }

    public void Add(string name, string value) => Headers.Add(new SipHeader(name, value));

    public string CallId => Get("Call-ID") ?? "";

    /// <summary>The CSeq header split into number and method; (0, "") when absent or invalid.</summary>
    public (long Number, string Method) CSeq
    {
        get
        {
            var v = Get("CSeq");
            if (v is null)
            {
                return (0, "");
            }

            var parts = v.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? (n, parts[1])
                : (0, "");
        }
    }

    public ViaHeader? TopVia => GetAll("Via") is { Count: > 0 } v ? ViaHeader.TryParse(v[0], out var via) ? via : null : null;

    protected abstract string StartLine { get; }

    /// <summary>Writes the message; Content-Length always reflects the body.</summary>
    public byte[] ToBytes()
    {
        var sb = new StringBuilder(512);
        sb.Append(StartLine).Append("\r\n");
        foreach (var h in Headers)
        {
            if (!string.Equals(h.Name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                sb.Append(h.Name).Append(": ").Append(h.Value).Append("\r\n");
            }
        }

        sb.Append("Content-Length: ").Append(Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        var head = Encoding.UTF8.GetBytes(sb.ToString());
        if (Body.Length == 0)
        {
            return head;
        }

        var all = new byte[head.Length + Body.Length];
        head.CopyTo(all, 0);
        Body.CopyTo(all, head.Length);
        return all;
    }

    public override string ToString() => Encoding.UTF8.GetString(ToBytes());
}

public sealed class SipRequest(string method, string requestUri) : SipMessage
{
    public string Method { get; } = method;

    public string RequestUri { get; set; } = requestUri;

    protected override string StartLine => Method + " " + RequestUri + " SIP/2.0";
}

public sealed class SipResponse(int statusCode, string reason) : SipMessage
{
    public int StatusCode { get; } = statusCode;

    public string Reason { get; } = reason;

    protected override string StartLine => "SIP/2.0 " + StatusCode.ToString(CultureInfo.InvariantCulture) + " " + Reason;

    /// <summary>Builds a response to <paramref name="request"/> copying the headers RFC 3261 §8.2.6 requires.</summary>
    public static SipResponse For(SipRequest request, int statusCode, string? reason = null, string? toTag = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var r = new SipResponse(statusCode, reason ?? SipStatus.ReasonFor(statusCode));
        foreach (var h in request.Headers)
        {
            if (string.Equals(h.Name, "Via", StringComparison.OrdinalIgnoreCase)
                || string.Equals(h.Name, "From", StringComparison.OrdinalIgnoreCase)
                || string.Equals(h.Name, "Call-ID", StringComparison.OrdinalIgnoreCase)
                || string.Equals(h.Name, "CSeq", StringComparison.OrdinalIgnoreCase))
            {
                r.Headers.Add(h);
            }
            else if (string.Equals(h.Name, "To", StringComparison.OrdinalIgnoreCase))
            {
                var to = h.Value;
                if (toTag is not null && statusCode > 100 && NameAddress.TryParse(to, out var na) && na.Tag is null)
                {
                    to += ";tag=" + toTag;
                }

                r.Headers.Add(new SipHeader("To", to));
            }
        }

        return r;
    }
}

public static class SipStatus
{
    public static string ReasonFor(int code) => code switch
    {
        100 => "Trying",
        180 => "Ringing",
        183 => "Session Progress",
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        603 => "Decline",
        _ => "Status",
    };
}
