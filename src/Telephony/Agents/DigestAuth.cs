using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CallCenter.Telephony.Agents;

/// <summary>Digest algorithms of RFC 8760 that phones use for SIP (MD5 for old phones, SHA-256 preferred).</summary>
public enum DigestAlgorithm
{
    Md5,
    Sha256,
}

/// <summary>The fields of an <c>Authorization: Digest ...</c> header (RFC 3261 §22.4, RFC 8760).</summary>
public sealed record DigestCredentials(string Username, string Realm, string Nonce, string Uri, string Response,
    DigestAlgorithm Algorithm, string? Qop, string? NonceCount, string? ClientNonce);

public enum NonceCheck
{
    Valid,
    Stale,
    Invalid,
}

/// <summary>
/// Digest computation and stateless nonces: a nonce is its issue time, random bytes and an HMAC over both, so any
/// node holding the same secret can check it without shared state, and an old nonce is recognised as stale.
/// </summary>
public sealed class DigestAuth
{
    private const int MaxHeaderLength = 2048;
    private readonly byte[] _secret;
    private readonly TimeProvider _time;

    public DigestAuth(byte[] secret, TimeSpan nonceLifetime, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < 16)
        {
            throw new ArgumentException("The nonce secret needs at least 16 bytes.", nameof(secret));
        }

        _secret = secret;
        NonceLifetime = nonceLifetime;
        _time = time;
    }

    public TimeSpan NonceLifetime { get; }

    public static string AlgorithmName(DigestAlgorithm algorithm) => algorithm == DigestAlgorithm.Sha256 ? "SHA-256" : "MD5";

    public static string Hash(DigestAlgorithm algorithm, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
#pragma warning disable CA5351 // MD5 digest is what most SIP phones speak (RFC 3261); SHA-256 is offered first
        return Convert.ToHexStringLower(algorithm == DigestAlgorithm.Sha256 ? SHA256.HashData(bytes) : MD5.HashData(bytes));
#pragma warning restore CA5351
    }

    /// <summary>HA1 = H(username:realm:password), what is stored at rest instead of the password.</summary>
    public static string Ha1(DigestAlgorithm algorithm, string username, string realm, string password) =>
        Hash(algorithm, username + ":" + realm + ":" + password);

    /// <summary>The response a client holding <paramref name="ha1"/> must send (RFC 2617 §3.2.2.1, qop=auth or none).</summary>
    public static string ExpectedResponse(string ha1, string method, DigestCredentials c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var ha2 = Hash(c.Algorithm, method + ":" + c.Uri);
        return c.Qop is null
            ? Hash(c.Algorithm, ha1 + ":" + c.Nonce + ":" + ha2)
            : Hash(c.Algorithm, ha1 + ":" + c.Nonce + ":" + c.NonceCount + ":" + c.ClientNonce + ":" + c.Qop + ":" + ha2);
    }

    /// <summary>Constant-time comparison, so the response check leaks nothing through timing.</summary>
    public static bool ResponseMatches(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(actual.ToLowerInvariant()));

    public string NewNonce()
    {
        Span<byte> raw = stackalloc byte[32];
        BinaryPrimitives.WriteInt64BigEndian(raw, _time.GetUtcNow().ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(raw[8..16]);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, raw[..16], mac);
        mac[..16].CopyTo(raw[16..]);  // a 128-bit tag is plenty for a nonce
        return Convert.ToBase64String(raw[..32]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public NonceCheck CheckNonce(string nonce)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        if (nonce.Length != 43)
        {
            return NonceCheck.Invalid;
        }

        var b64 = nonce.Replace('-', '+').Replace('_', '/') + "=";
        Span<byte> raw = stackalloc byte[33];
        if (!Convert.TryFromBase64String(b64, raw, out var n) || n != 32)
        {
            return NonceCheck.Invalid;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, raw[..16], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..16], raw[16..32]))
        {
            return NonceCheck.Invalid;
        }

        var issued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(raw));
        var age = _time.GetUtcNow() - issued;
        return age < TimeSpan.FromSeconds(-5) ? NonceCheck.Invalid : age > NonceLifetime ? NonceCheck.Stale : NonceCheck.Valid;
    }

    /// <summary>Parses a Digest Authorization header; null when it is not one or misses a required field.</summary>
    public static DigestCredentials? Parse(string? header)
    {
        if (header is null || header.Length > MaxHeaderLength || !header.TrimStart().StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var s = header.TrimStart()[7..];
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == ',' || s[i] == '\t'))
            {
                i++;
            }

            var eq = s.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var name = s[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < s.Length && s[i] == '"')
            {
                var end = s.IndexOf('"', i + 1);
                if (end < 0)
                {
                    return null;
                }

                value = s[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = s.IndexOf(',', i);
                end = end < 0 ? s.Length : end;
                value = s[i..end].Trim();
                i = end;
            }

            fields[name] = value;
        }

        var algorithm = fields.GetValueOrDefault("algorithm") switch
        {
            null => DigestAlgorithm.Md5,
            var a when a.Equals("MD5", StringComparison.OrdinalIgnoreCase) => DigestAlgorithm.Md5,
            var a when a.Equals("SHA-256", StringComparison.OrdinalIgnoreCase) => DigestAlgorithm.Sha256,
            _ => (DigestAlgorithm?)null,
        };
        if (algorithm is null || !fields.TryGetValue("username", out var user) || !fields.TryGetValue("realm", out var realm)
            || !fields.TryGetValue("nonce", out var nonce) || !fields.TryGetValue("uri", out var uri) || !fields.TryGetValue("response", out var response))
        {
            return null;
        }

        var qop = fields.GetValueOrDefault("qop");
        if (qop is not null && (!qop.Equals("auth", StringComparison.OrdinalIgnoreCase) || !fields.ContainsKey("nc") || !fields.ContainsKey("cnonce")))
        {
            return null;
        }

        return new DigestCredentials(user, realm, nonce, uri, response, algorithm.Value, qop?.ToLowerInvariant(),
            fields.GetValueOrDefault("nc"), fields.GetValueOrDefault("cnonce"));
    }
}
