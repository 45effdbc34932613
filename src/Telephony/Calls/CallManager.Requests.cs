using System.Text;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Calls;

/// <summary>Reading what an INVITE says about caller and body, and the call log lines.</summary>
public sealed partial class CallManager
{
    /// <summary>
    /// Caller digits for lookups (null when withheld or not a number) and the raw value for audit, escaped and
    /// capped so hostile From headers never reach SQL, logs or screens unchecked (reliability.md §1).
    /// </summary>
    internal static (string? Digits, string? Raw) CallerOf(SipRequest request)
    {
        if (!NameAddress.TryParse(request.Get("From") ?? "", out var from) || !SipUri.TryParse(from.Uri, out var uri))
        {
            return (null, null);
        }

        var raw = uri.User ?? "";
        raw = Uri.EscapeDataString(raw.Length > 64 ? raw[..64] : raw);
        var privacy = request.Get("Privacy") ?? "";
        var withheld = uri.User is null || uri.User.Equals("anonymous", StringComparison.OrdinalIgnoreCase)
            || uri.Host.Equals("anonymous.invalid", StringComparison.OrdinalIgnoreCase)
            || privacy.Contains("id", StringComparison.OrdinalIgnoreCase) || privacy.Contains("user", StringComparison.OrdinalIgnoreCase);
        return (withheld ? null : SipText.DigitsOnly(uri.User), raw);
    }

    /// <summary>415 for a body we cannot read, 406 when the caller accepts no SDP answer (RFC 4475 invut, sdp01).</summary>
    private static int? UnacceptableBody(SipRequest request)
    {
        if (request.Body.Length == 0)
        {
            return null; // no offer: 488 from the SDP step (late offer is not supported yet)
        }

        var type = (request.Get("Content-Type") ?? "").Split(';')[0].Trim();
        if (!type.Equals("application/sdp", StringComparison.OrdinalIgnoreCase) && !type.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return 415;
        }

        if (request.Get("Accept") is { } accept && !accept.Split(',').Select(a => a.Split(';')[0].Trim())
                .Any(a => a.Equals("application/sdp", StringComparison.OrdinalIgnoreCase) || a is "*/*" || a.Equals("application/*", StringComparison.OrdinalIgnoreCase)))
        {
            return 406;
        }

        return null;
    }

    /// <summary>The SDP of the body, also from inside a multipart/mixed body (RFC 4475 mpart01).</summary>
    internal static byte[] SdpBody(SipMessage request)
    {
        var contentType = request.Get("Content-Type") ?? "";
        if (!contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return request.Body;
        }

        var b = contentType.IndexOf("boundary=", StringComparison.OrdinalIgnoreCase);
        if (b < 0)
        {
            return [];
        }

        var boundary = contentType[(b + 9)..].Split(';')[0].Trim().Trim('"');
        var text = Encoding.UTF8.GetString(request.Body);
        foreach (var part in text.Split("--" + boundary))
        {
            var split = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (split < 0)
            {
                continue;
            }

            var headers = part[..split];
            if (headers.Contains("application/sdp", StringComparison.OrdinalIgnoreCase))
            {
                return Encoding.UTF8.GetBytes(part[(split + 4)..].TrimEnd('\r', '\n') + "\r\n");
            }
        }

        return [];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} ended: {Disposition} by {EndedBy}")]
    private partial void LogEnded(Guid callId, string disposition, string endedBy);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ending call {CallId} failed; the row is marked interrupted at next start if it stayed open")]
    private partial void LogEndFailed(Exception ex, Guid callId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call set-up failed")]
    private partial void LogSetupFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "No acceptable media in offer: {Reason}")]
    private partial void LogNoMedia(string reason);
}
