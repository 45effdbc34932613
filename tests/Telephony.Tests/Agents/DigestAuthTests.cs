using CallCenter.Telephony.Agents;
using CallCenter.Telephony.Tests.Screening;

namespace CallCenter.Telephony.Tests.Agents;

public sealed class DigestAuthTests
{
    private static readonly byte[] Secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void TheRfc2617ExampleResponseIsReproducedWithMd5()
    {
        var c = DigestAuth.Parse("Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
            + "uri=\"/dir/index.html\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\"")!;
        c.Algorithm.ShouldBe(DigestAlgorithm.Md5);
        var ha1 = DigestAuth.Ha1(DigestAlgorithm.Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
        DigestAuth.ExpectedResponse(ha1, "GET", c).ShouldBe("6629fae49393a05397450978507c4ef1");
    }

    [Fact]
    public void TheRfc7616ExampleResponseIsReproducedWithSha256()
    {
        var c = DigestAuth.Parse("Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", algorithm=SHA-256, "
            + "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
            + "qop=auth, response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\"")!;
        c.Algorithm.ShouldBe(DigestAlgorithm.Sha256);
        var ha1 = DigestAuth.Ha1(DigestAlgorithm.Sha256, "Mufasa", "http-auth@example.org", "Circle of Life");
        DigestAuth.ResponseMatches(DigestAuth.ExpectedResponse(ha1, "GET", c), c.Response).ShouldBeTrue();
    }

    [Fact]
    public void AFreshNonceIsValidAnOldOneStaleAndATamperedOneInvalid()
    {
        var issuedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var nonce = new DigestAuth(Secret, TimeSpan.FromMinutes(5), new FixedTimeProvider(issuedAt)).NewNonce();

        new DigestAuth(Secret, TimeSpan.FromMinutes(5), new FixedTimeProvider(issuedAt.AddMinutes(4))).CheckNonce(nonce).ShouldBe(NonceCheck.Valid);
        new DigestAuth(Secret, TimeSpan.FromMinutes(5), new FixedTimeProvider(issuedAt.AddMinutes(6))).CheckNonce(nonce).ShouldBe(NonceCheck.Stale);
        var tampered = (nonce[0] == 'A' ? "B" : "A") + nonce[1..];
        new DigestAuth(Secret, TimeSpan.FromMinutes(5), new FixedTimeProvider(issuedAt)).CheckNonce(tampered).ShouldBe(NonceCheck.Invalid);
        var otherSecret = Enumerable.Repeat((byte)7, 32).ToArray();
        new DigestAuth(otherSecret, TimeSpan.FromMinutes(5), new FixedTimeProvider(issuedAt)).CheckNonce(nonce).ShouldBe(NonceCheck.Invalid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Digest username=\"a\", realm=\"r\"")]
    [InlineData("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", algorithm=SHA-512-256")]
    [InlineData("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth")]
    [InlineData("Digest username=\"a, realm=r")]
    public void MalformedOrUnsupportedAuthorizationHeadersAreNotCredentials(string header)
    {
        DigestAuth.Parse(header).ShouldBeNull();
    }

    [Fact]
    public void GarbageNoncesAreInvalidNotExceptions()
    {
        var auth = new DigestAuth(Secret, TimeSpan.FromMinutes(5), TimeProvider.System);
        foreach (var n in new[] { "", "x", new string('!', 43), new string('A', 43), new string('A', 10_000) })
        {
            auth.CheckNonce(n).ShouldBe(NonceCheck.Invalid);
        }
    }
}
