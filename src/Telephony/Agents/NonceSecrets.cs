namespace CallCenter.Telephony.Agents;

/// <summary>Reads the configured nonce secret (base64, at least 16 bytes).</summary>
public static class NonceSecrets
{
    public static byte[]? TryDecode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var n) && n >= 16 ? buffer[..n] : null;
    }
}
