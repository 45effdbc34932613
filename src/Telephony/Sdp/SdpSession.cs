using System.Globalization;
using System.Net;
using System.Text;

namespace CallCenter.Telephony.Sdp;

/// <summary>One m= section of an SDP body (RFC 4566 §5.14) with the attributes we act on.</summary>
public sealed record SdpMedia(string Media, int Port, string Protocol, IReadOnlyList<int> Formats,
    IReadOnlyDictionary<int, string> RtpMaps, string? Connection, string Direction);

/// <summary>The parts of an SDP offer that offer/answer needs; everything else is tolerated and ignored.</summary>
public sealed record SdpSession(string? Connection, IReadOnlyList<SdpMedia> Media)
{
    public const int MaxBytes = 16 * 1024;
    public const int MaxMedia = 10;
    public const int MaxAttributes = 200;

    public static bool TryParse(ReadOnlySpan<byte> body, out SdpSession session, out string error)
    {
        session = null!;
        error = "";
        if (body.Length is 0 or > MaxBytes)
        {
            error = body.Length == 0 ? "empty SDP" : "SDP too large";
            return false;
        }

        var text = Encoding.UTF8.GetString(body);
        string? sessionConnection = null;
        var media = new List<SdpMedia>();
        string? mType = null;
        var mPort = 0;
        var mProto = "";
        List<int> formats = [];
        Dictionary<int, string> maps = [];
        string? mConn = null;
        var direction = "sendrecv";
        var sessionDirection = "sendrecv";
        var attributes = 0;
        var sawVersion = false;

        void Flush()
        {
            if (mType is not null)
            {
                media.Add(new SdpMedia(mType, mPort, mProto, formats, maps, mConn, direction));
            }
        }

        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=')
            {
                error = "line is not 'x=value'";
                return false;
            }

            var value = line[2..];
            switch (line[0])
            {
                case 'v':
                    sawVersion = value == "0";
                    break;
                case 'c':
                    var c = ParseConnection(value);
                    if (c is null)
                    {
                        error = "bad c= line";
                        return false;
                    }

                    if (mType is null)
                    {
                        sessionConnection = c;
                    }
                    else
                    {
                        mConn = c;
                    }

                    break;
                case 'm':
                    Flush();
                    if (media.Count >= MaxMedia)
                    {
                        error = "too many m= lines";
                        return false;
                    }

                    var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var portText = parts.Length > 1 ? parts[1].Split('/')[0] : "";
                    if (parts.Length < 4 || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out mPort) || mPort > 65535)
                    {
                        error = "bad m= line";
                        return false;
                    }

                    mType = parts[0];
                    mProto = parts[2];
                    formats = [];
                    foreach (var f in parts.Skip(3))
                    {
                        if (int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) && pt <= 127)
                        {
                            formats.Add(pt);
                        }
                    }

                    maps = [];
                    mConn = null;
                    direction = sessionDirection;
                    break;
                case 'a':
                    if (++attributes > MaxAttributes)
                    {
                        error = "too many attributes";
                        return false;
                    }

                    if (value is "sendrecv" or "sendonly" or "recvonly" or "inactive")
                    {
                        if (mType is null)
                        {
                            sessionDirection = value;
                        }

                        direction = value;
                    }
                    else if (value.StartsWith("rtpmap:", StringComparison.Ordinal) && mType is not null)
                    {
                        var sp = value.IndexOf(' ', StringComparison.Ordinal);
                        if (sp > 7 && int.TryParse(value.AsSpan(7, sp - 7), NumberStyles.None, CultureInfo.InvariantCulture, out var pt))
                        {
                            maps[pt] = value[(sp + 1)..].Trim();
                        }
                    }

                    break;
                default:
                    break;
            }
        }

        Flush();
        if (!sawVersion)
        {
            error = "missing v=0";
            return false;
        }

        if (media.Count == 0)
        {
            error = "no m= line";
            return false;
        }

        session = new SdpSession(sessionConnection, media);
        return true;
    }

    private static string? ParseConnection(string value)
    {
        // c=IN IP4 192.0.2.1 (an optional /ttl is ignored); only unicast literal addresses are usable.
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || parts[0] != "IN" || parts[1] is not ("IP4" or "IP6"))
        {
            return null;
        }

        var address = parts[2].Split('/')[0];
        return IPAddress.TryParse(address, out var ip) && (parts[1] == "IP4") == (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ? ip.ToString()
            : null;
    }
}
